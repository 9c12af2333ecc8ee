import type { Clock } from "@gatehouse/domain";

/** A clock that stands still until a test moves it. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date | string = "2024-06-01T12:00:00.000Z") {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(instant: Date | string): void {
    this.current = new Date(instant).getTime();
  }

  advanceMs(ms: number): void {
    this.current += ms;
  }

  advanceSeconds(seconds: number): void {
    this.advanceMs(seconds * 1000);
  }
}
