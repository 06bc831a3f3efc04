/**
 * The whole election (test/support/whole-election.ts) in the EventStoreDB mode: events in the
 * EventStoreDB / KurrentDB at EVENTSTORE_URL (infra/docker-compose.yml starts a three-node cluster),
 * read models in a scratch PostgreSQL database, Redis with a random prefix; two gateway processes,
 * and five abstainers so the admin ends the election. No server can run on the development
 * machines, so without EVENTSTORE_URL the suite is reported skipped, never passed.
 */
import { wholeElectionSuite } from '../support/whole-election.ts';

const EVENTSTORE_URL = process.env.EVENTSTORE_URL;

wholeElectionSuite({
  name: 'events in EventStoreDB',
  voters: 40,
  abstainers: 5,
  processes: 2,
  config: { eventStoreUrl: EVENTSTORE_URL },
  skipReason: EVENTSTORE_URL ? undefined : 'set EVENTSTORE_URL; see infra/README.md',
});
