CREATE TABLE "rate_limit_refusals" (
	"day" date NOT NULL,
	"category" varchar(32) NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "rate_limit_refusals_day_category_pk" PRIMARY KEY("day","category"),
	CONSTRAINT "rate_limit_refusals_count_check" CHECK ("rate_limit_refusals"."count" >= 0)
);
