/**
 * The advisory-lock key and NOTIFY channel of the SQL event store. Its tables and its append
 * function are created by the schema migrations (src/sql/migrations/). Advisory-lock keys share
 * one namespace per database with every other component, so they are fixed, documented constants
 * (docs/eventstore.md).
 */
/**
 * Taken (transaction-scoped) at the start of every append transaction: appenders commit one after
 * another, in position order, so readers never see a later position before an earlier one.
 */
export const APPEND_LOCK_KEY = 7_302_846_111;
/** NOTIFY channel carrying the last committed position, to wake subscribers in other processes. */
export const EVENTS_CHANNEL = 'evote_events';
