-- A refresh retried after a 503 is not a replay. The client's first attempt can commit and still
-- end in a 503 (the answer lost, the query timed out client-side after the commit, an outage): its
-- retry with the same token may then reach the database after the grace window. The retry is
-- recognised by its token chain instead of the clock: the presented token was itself presented
-- (last_used_at set) and the family's active token descends from it through re-issues only, none of
-- them ever presented. Such a token gets a re-issue ('retry') like one within the grace window. A
-- re-issue now retires the current token without setting last_used_at, so a token handed out but
-- never presented can be told from one that was; such a token is never eligible itself, so two
-- holders cannot keep re-issuing each other's tokens. A thief replaying after the owner used the
-- successor meets a presented link: 'reuse', as before. A thief replaying first retires the owner's
-- unpresented successor, so the owner's next refresh is judged 'reuse' and ends the family.
-- Mirrors judgePresentedToken and pendingSuccessorOf (domain); MAX_RETRY_CHAIN is 16 there too.
-- Tokens retired by a grace re-issue before this migration keep last_used_at set.
CREATE OR REPLACE FUNCTION gatehouse_present_refresh_token(
  p_token_hash text,
  p_next_id uuid,
  p_next_hash text,
  p_next_expires_at timestamptz,
  p_user_agent text,
  p_ip_address inet,
  p_now timestamptz,
  p_grace_seconds integer,
  p_request_id text,
  p_duration_ms integer,
  p_audit_at timestamptz
) RETURNS TABLE (verdict text, family_id uuid, user_id uuid, user_status text, expires_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  v_family uuid;
  t refresh_tokens%ROWTYPE;
  cur refresh_tokens%ROWTYPE;
  link refresh_tokens%ROWTYPE;
  v_link_id uuid;
  v_hop integer;
  v_verdict text;
  v_status text;
  v_expires timestamptz;
BEGIN
  SELECT r.family_id INTO v_family FROM refresh_tokens r WHERE r.token_hash = p_token_hash;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended(v_family::text, 7401));
  SELECT * INTO t FROM refresh_tokens r WHERE r.token_hash = p_token_hash;

  IF t.revoked_at IS NULL THEN
    v_verdict := CASE WHEN LEAST(t.expires_at, t.session_expires_at) <= p_now THEN 'expired' ELSE 'rotate' END;
  ELSIF t.revoked_reason <> 'rotated' THEN
    v_verdict := 'revoked';
  ELSIF p_now - t.revoked_at <= make_interval(secs => p_grace_seconds) THEN
    v_verdict := 'grace';
  ELSE
    v_verdict := 'reuse';
    v_link_id := CASE WHEN t.last_used_at IS NULL THEN NULL ELSE t.replaced_by END;
    FOR v_hop IN 1..16 LOOP
      EXIT WHEN v_link_id IS NULL;
      SELECT * INTO link FROM refresh_tokens r WHERE r.id = v_link_id;
      EXIT WHEN NOT FOUND OR link.family_id <> t.family_id OR link.last_used_at IS NOT NULL;
      IF link.revoked_at IS NULL THEN
        IF LEAST(link.expires_at, link.session_expires_at) > p_now THEN
          v_verdict := 'retry';
        END IF;
        EXIT;
      END IF;
      EXIT WHEN link.revoked_reason <> 'rotated';
      v_link_id := link.replaced_by;
    END LOOP;
  END IF;

  IF v_verdict IN ('expired', 'revoked') THEN
    RETURN QUERY SELECT v_verdict, t.family_id, t.user_id, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;

  IF v_verdict = 'reuse' THEN
    UPDATE refresh_tokens r SET revoked_at = p_now, revoked_reason = 'reuse_detected'
      WHERE r.family_id = t.family_id AND r.revoked_at IS NULL;
    INSERT INTO audit_logs (user_id, action, resource_type, resource_id, ip_address, user_agent, request_id,
        status, details, duration_ms, "timestamp")
      VALUES (t.user_id, 'auth.refresh_reuse_detected', 'user', t.user_id, p_ip_address, p_user_agent,
        p_request_id, 'failure', jsonb_build_object('session_id', t.family_id, 'token_id', t.id), p_duration_ms,
        p_audit_at);
    RETURN QUERY SELECT v_verdict, t.family_id, t.user_id, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;

  IF v_verdict = 'rotate' THEN
    cur := t;
  ELSE
    SELECT * INTO cur FROM refresh_tokens r WHERE r.family_id = t.family_id AND r.revoked_at IS NULL LIMIT 1;
    IF NOT FOUND THEN -- the family ended meanwhile (logout)
      RETURN QUERY SELECT 'revoked'::text, t.family_id, t.user_id, NULL::text, NULL::timestamptz;
      RETURN;
    END IF;
    IF cur.session_expires_at <= p_now THEN -- a re-issue must not outlive the session
      RETURN QUERY SELECT 'expired'::text, t.family_id, t.user_id, NULL::text, NULL::timestamptz;
      RETURN;
    END IF;
  END IF;

  SELECT u.status INTO v_status FROM users u WHERE u.id = t.user_id AND u.deleted_at IS NULL;
  IF v_status IS DISTINCT FROM 'active' THEN
    UPDATE refresh_tokens r SET revoked_at = p_now, revoked_reason = 'account_inactive'
      WHERE r.family_id = t.family_id AND r.revoked_at IS NULL;
    RETURN QUERY SELECT 'inactive'::text, t.family_id, t.user_id, v_status, NULL::timestamptz;
    RETURN;
  END IF;

  v_expires := LEAST(p_next_expires_at, cur.session_expires_at);
  -- Retire first, so the successor never meets the one-active-token index beside its parent.
  -- A re-issue retires the current token unused: it must never count as presented.
  UPDATE refresh_tokens r SET revoked_at = p_now, revoked_reason = 'rotated', replaced_by = p_next_id,
      last_used_at = CASE WHEN v_verdict = 'rotate' THEN p_now ELSE r.last_used_at END
    WHERE r.id = cur.id AND r.revoked_at IS NULL;
  INSERT INTO refresh_tokens (id, user_id, family_id, parent_id, token_hash, expires_at, session_expires_at,
      user_agent, ip_address)
    VALUES (p_next_id, cur.user_id, cur.family_id, cur.id, p_next_hash, v_expires, cur.session_expires_at,
      p_user_agent, p_ip_address);
  INSERT INTO audit_logs (user_id, action, resource_type, resource_id, ip_address, user_agent, request_id,
      status, details, duration_ms, "timestamp")
    VALUES (t.user_id, 'auth.refresh', 'user', t.user_id, p_ip_address, p_user_agent, p_request_id, 'success',
      jsonb_build_object('session_id', t.family_id, 'grace_reissue', v_verdict <> 'rotate')
        || CASE WHEN v_verdict = 'retry' THEN jsonb_build_object('late_retry', true) ELSE '{}'::jsonb END,
      p_duration_ms, p_audit_at);
  RETURN QUERY SELECT v_verdict, cur.family_id, cur.user_id, v_status, v_expires;
END;
$$;
