/**
 * The SQL event store's advisory-lock key and NOTIFY channel; its tables and append function come
 * from the migrations (src/sql/migrations/). Lock keys are fixed constants (docs/eventstore.md).
 */
/** Taken by every append: appenders commit in position order, so readers never see a later one first. */
export const APPEND_LOCK_KEY = 7_302_846_111;
export const EVENTS_CHANNEL = 'evote_events';
