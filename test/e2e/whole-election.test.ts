/**
 * The whole election (test/support/whole-election.ts) in the PostgreSQL + Redis mode: 500 voters
 * over two gateway processes, the 500th ballot closing the election by itself.
 */
import { wholeElectionSuite } from '../support/whole-election.ts';

wholeElectionSuite({ name: 'on PostgreSQL and Redis', voters: 500, abstainers: 0, processes: 2 });
