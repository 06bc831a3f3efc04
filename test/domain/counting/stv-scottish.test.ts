/** Scottish STV (SSI 2007/42 Sch. 1 rules 45–52): worked examples stage by stage, properties, edge cases. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countScottishStv, STV_SCALE } from '../../../src/domain/counting/stv-scottish.ts';
import type { CountInput, CountResult, RankedBallot } from '../../../src/domain/counting/types.ts';

/** "12.45448" → 1245448 units of 10^-5 vote, parsed exactly (no float). */
const u = (votes: string): number => {
  const [whole, frac = ''] = votes.split('.');
  return Number(whole) * STV_SCALE + Number(frac.padEnd(5, '0'));
};
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const ballots = (spec: [number, number[]][]): RankedBallot[] => spec.map(([weight, ranking]) => ({ weight, ranking }));
/** The BLT format (candidates seats / weight prefs… 0 / 0 / names): 1-based candidates become indices. */
function parseBlt(file: string): { candidates: number; seats: number; ballots: RankedBallot[] } {
  const lines = readFileSync(new URL(`../../fixtures/counting/${file}`, import.meta.url), 'utf8').split('\n');
  const [candidates, seats] = lines[0]!.split(' ').map(Number) as [number, number];
  const ballots = lines.slice(1, lines.indexOf('0')).map((line) => {
    const [weight, ...rest] = line.trim().split(' ').map(Number);
    return { weight: weight!, ranking: rest.slice(0, -1).map((x) => x - 1) };
  });
  return { candidates, seats, ballots };
}
/** A published Scottish preference profile as CSV (count, ranking…), 1-based candidates. */
function readProfile(file: string): RankedBallot[] {
  const rows = readFileSync(new URL(`../../fixtures/counting/${file}`, import.meta.url), 'utf8').split('\n');
  return rows.slice(1).filter((row) => /^\d/.test(row)).map((row) => {
    const [weight, ...ranking] = row.split(',').filter((x) => x !== '').map(Number);
    return { weight: weight!, ranking: ranking.map((x) => x - 1) };
  });
}
const d = (r: CountResult, i: number): Record<string, unknown> => r.rounds[i]!.detail as Record<string, unknown>;

describe('countScottishStv: worked examples', () => {
  /*
   * Wikipedia, "Counting single transferable votes" (food election): 20 voters, 3 seats, candidates
   * Orange 0, Pear 1, Chocolate 2, Strawberry 3, Sweets 4; counted here by the Scottish rules:
   *   rule 46  quota = ⌊20 / 4⌋ + 1 = 6
   *   stage 1  O 4, P 2, C 12, St 1, Sw 1 → Chocolate elected (rule 47), surplus 6
   *   stage 2  rule 48(3): TV = ⌊6 × 1.00000 / 12⌋ = 0.50000 on all 12 of Chocolate's papers;
   *            8 → Strawberry (+4.0 → 5), 4 → Sweets (+2.0 → 3); Chocolate holds 6; nothing lost
   *   stage 3  no surplus: rule 50 excludes Pear (2); both papers → Orange = 6 = quota → elected
   *   stage 4  exclude Sweets (3): 1 paper at 1.0 and 4 at 0.5 have no next preference → 3.0 NT;
   *            Strawberry is the only continuing candidate for the last seat → rule 52
   *   check    6 + 0 + 6 + 5 + 0 + 3 (NT) = 20
   */
  const food = ballots([
    [4, [0]],
    [2, [1, 0]],
    [8, [2, 3]],
    [4, [2, 4]],
    [1, [3]],
    [1, [4]],
  ]);

  it('the food election: Chocolate, Orange, Strawberry with the stages computed by hand above', () => {
    const r = countScottishStv({ candidates: 5, seats: 3, ballots: food, lotOrder: range(5) });
    expect(r.method).toBe('stv-scottish');
    expect(r.winners).toEqual([2, 0, 3]);
    expect(r.rounds.map((x) => x.tallies)).toEqual([
      ['4', '2', '12', '1', '1'].map(u),
      ['4', '2', '6', '5', '3'].map(u),
      ['6', '0', '6', '5', '3'].map(u),
      ['6', '0', '6', '5', '0'].map(u),
    ]);
    expect(r.rounds.map((x) => [x.elected, x.eliminated])).toEqual([
      [[2], []],
      [[], []],
      [[0], [1]],
      [[3], [4]],
    ]);
    expect(d(r, 0).quota).toBe(u('6'));
    expect(d(r, 1)).toMatchObject({ from: 2, surplus: u('6'), transferValues: [{ paperValue: u('1'), transferValue: u('0.5') }] });
    expect(d(r, 3)).toMatchObject({ nonTransferable: u('3'), nonTransferableTotal: u('3'), truncationLossTotal: 0 });
  });

  /*
   * An official count: Renfrewshire Council, 4 May 2017, Ward 11 "Bishopton, Bridge of Weir and
   * Langbank" (3 seats, 5 candidates, valid poll 5,613, quota 1,404). Ballot profile: the council's
   * published preference data as collected by D. McCune (github.com/mggg/scot-elex,
   * 5_cands/renfrewshire_2017_ward11.csv). Stage figures: the returning officer's result sheet as
   * transcribed in github.com/gerrymulvenna/council17, 2017/SCO/renfrewshire/S13003085/ResultsJson.json.
   *   stage 2  MacLaren's surplus 1,148 (TV ⌊1148/2552⌋₅ = 0.44984): Harrison +325.68416, Höfer-Franz
   *            +60.72840, McCulloch +316.68736
   *   stage 3  Don's surplus 379; stage 4 Höfer-Franz excluded, McCulloch 1,407.34264 ≥ quota.
   */
  it('Renfrewshire 2017 Ward 11: the official result sheet, every stage to the last 10^-5', () => {
    const r = countScottishStv({ candidates: 5, seats: 3, ballots: readProfile('renfrewshire-2017-ward11.csv'), lotOrder: range(5) });
    expect(d(r, 0)).toMatchObject({ totalValid: u('5613'), quota: u('1404') });
    // Don, Harrison, Höfer-Franz, MacLaren, McCulloch
    expect(r.rounds.map((x) => x.tallies)).toEqual([
      ['1783', '212', '170', '2552', '896'].map(u),
      ['1783', '537.68416', '230.72840', '1404', '1212.68736'].map(u),
      ['1404', '578.49568', '406.94064', '1404', '1288.99640'].map(u),
      ['1404', '733.70360', '0', '1404', '1407.34264'].map(u),
    ]);
    expect(d(r, 1)).toMatchObject({ from: 3, surplus: u('1148'), transferValues: [{ paperValue: u('1'), transferValue: u('0.44984') }] });
    expect(r.rounds.map((x) => [x.elected, x.eliminated])).toEqual([[[3, 0], []], [[], []], [[], []], [[4], [2]]]);
    expect(r.winners).toEqual([3, 0, 4]);
  });

  /*
   * An official count: Highland Council, 4 May 2017, Ward 1 "North, West and Central Sutherland"
   * (3 seats, 8 candidates, valid poll 2,807, quota 702); same sources as above
   * (8_cands/highland_2017_ward1.csv; council17 2017/SCO/highland/S13002990/ResultsJson.json).
   * Five exclusions, no surplus; at the last stage Munro (899) and Morrison (804) pass the quota
   * (rule 47) and Currie, on 689, below it, fills the last seat as the only continuing candidate (52).
   */
  it('Highland 2017 Ward 1: the official result sheet, five exclusions and a seat filled below quota', () => {
    const r = countScottishStv({ candidates: 8, seats: 3, ballots: readProfile('highland-2017-ward1.csv'), lotOrder: range(8) });
    expect(d(r, 0)).toMatchObject({ totalValid: u('2807'), quota: u('702') });
    // Bangor-Jones, Currie, Morrison, Munro, O'Hanrahan, Simpson, Sinclair, Taylor
    expect(r.rounds.map((x) => x.tallies)).toEqual(
      [
        [311, 556, 473, 504, 52, 89, 265, 557],
        [327, 564, 480, 510, 0, 91, 269, 561],
        [341, 571, 521, 521, 0, 0, 274, 565],
        [367, 612, 556, 587, 0, 0, 0, 622],
        [0, 681, 669, 671, 0, 0, 0, 658],
        [0, 689, 804, 899, 0, 0, 0, 0],
      ].map((row) => row.map((v) => v * STV_SCALE)),
    );
    expect(r.rounds.map((x) => x.eliminated)).toEqual([[], [4], [5], [6], [0], [7]]);
    expect(r.rounds[5]!.elected).toEqual([3, 2, 1]);
    expect(r.winners).toEqual([3, 2, 1]);
  });

  /*
   * Real ballots: the Green Party of the United States steering committee election of 2005-07-24
   * (94 ballots, 13 candidates, 4 seats), published as test/blt/SC.blt with Droop (J. Lundell,
   * github.com/jklundell/droop), whose independent Scottish STV implementation published its
   * stage-by-stage report as test/ref/report/SC-scotland-fixed-p5-d5.txt. Every figure below is
   * transcribed from that report. It adds what the official ward above lacks: lot, zero-vote
   * exclusions, a surplus after exclusions, and truncation residue.
   *   stage 2  Rotzler 33, quota 19 → surplus 14, TV = ⌊14/33⌋₅ = 0.42424 (14/33 = 0.424242…);
   *            Olsen receives 27 papers → 1 + 27 × 0.42424 = 12.45448; 14 − 33 × 0.42424 = 0.00008 lost
   */
  const { candidates: nCand, seats: nSeats, ballots: gpus } = parseBlt('gpus-2005-steering.blt');
  // Droop drew Write-In 2, then Write-In 1, then Greenfield: least favoured = last in lotOrder.
  const gpusLot = [0, 1, 2, 3, 4, 6, 7, 8, 12, 11, 10, 9, 5];
  const stage3 = ['7.80300', '3.56060', '9.24240', '19', '2.69696', '0', '19', '12.72720', '1.42424', '0', '0', '0', '18.54544'];
  const expected: [string[], number[], number[]][] = [
    [['6', '3', '8', '22', '2', '0', '33', '1', '1', '0', '0', '0', '18'], [6, 3], []],
    [['6.84848', '3.42424', '8.42424', '22', '2.42424', '0', '19', '12.45448', '1.42424', '0', '0', '0', '18'], [], []],
    [stage3, [], []],
    [stage3, [], [5]],
    [stage3, [], [9]],
    [stage3, [], [10]],
    [stage3, [], [11]],
    [['7.80300', '3.56060', '9.24240', '19', '2.69696', '0', '19', '14.15144', '0', '0', '0', '0', '18.54544'], [], [8]],
    [['8.80300', '3.69696', '9.24240', '19', '0', '0', '19', '14.57568', '0', '0', '0', '0', '19.68180'], [12], [4]],
    [['9.01084', '3.95360', '9.45496', '19', '0', '0', '19', '14.57568', '0', '0', '0', '0', '19'], [], []],
    [['9.36448', '0', '10.59132', '19', '0', '0', '19', '15.61032', '0', '0', '0', '0', '19'], [], [1]],
    [['0', '0', '16.62204', '19', '0', '0', '19', '16.59988', '0', '0', '0', '0', '19'], [], [0]],
    [['0', '0', '18.59172', '19', '0', '0', '19', '0', '0', '0', '0', '0', '19'], [2], [7]],
  ];

  it('GPUS 2005 (Droop reference report): every stage, elected, excluded and non-transferable figure', () => {
    const r = countScottishStv({ candidates: nCand, seats: nSeats, ballots: gpus, lotOrder: gpusLot });
    expect(gpus).toHaveLength(94);
    expect(d(r, 0).quota).toBe(u('19'));
    expect(r.rounds.map((x) => [x.tallies, x.elected, x.eliminated])).toEqual(expected.map(([t, e, x]) => [t.map(u), e, x]));
    expect(r.winners).toEqual([6, 3, 12, 2]);
    expect(d(r, 1)).toMatchObject({ from: 6, surplus: u('14'), transferValues: [{ paperValue: u('1'), transferValue: u('0.42424') }], truncationLoss: u('0.00008') });
    expect(r.rounds.map((x) => (x.detail as Record<string, unknown>).nonTransferableTotal)).toEqual(
      ['0', '0', '0', '0', '0', '0', '0', '0', '0', '0.00472', '1.43368', '3.77788', '18.40808'].map(u),
    );
    expect(d(r, 12).truncationLossTotal).toBe(u('0.00020'));
    expect(r.rounds[3]!.tieBreak).toBe('rule 51(2): lot among [5, 9, 10, 11] → 5');
  });
  /*
   * M135: B. Wichmann's data set for "the validation of the STV programs for ERBS" (1999; 679 ballots,
   * 2 of them blank, 25 candidates, 7 seats), as published in Droop (test/blt/M135.blt) with the
   * Scottish STV reference report test/ref/report/M135-scotland-fixed-p5-d5.txt; figures below are
   * transcribed from that report. 21 stages, a surplus as late as stage 20, 18 exclusions. At the
   * last stage C3, C4, C6 pass the quota (rule 47) and C9, C10 fill the last seats (rule 52): Droop
   * lists the five as "remaining candidates" in index order; here rule 47 comes first, highest total
   * first, then rule 52 — the same set.
   */
  const m135 = parseBlt('m135-erbs-1999.blt');
  const c = (...names: number[]): number[] => names.map((n) => n - 1);
  it('M135 (ERBS validation set, Droop reference report): every stage, the quota, blanks, non-transferable and residue', () => {
    const r = countScottishStv({ candidates: m135.candidates, seats: m135.seats, ballots: m135.ballots, lotOrder: range(25) });
    expect(d(r, 0)).toMatchObject({ blank: 2, totalValid: u('677'), quota: u('85') });
    expect(r.rounds.map((x) => [x.elected, x.eliminated])).toEqual([
      [c(1), []],
      [[], []],
      ...[25, 22, 24, 21, 19, 23, 17, 14, 20, 18, 13, 16, 8, 12, 7, 5].map((x) => [[], c(x)]),
      [c(2), c(15)],
      [[], []],
      [c(6, 3, 4, 9, 10), c(11)],
    ]);
    expect(r.winners).toEqual(c(1, 2, 6, 3, 4, 9, 10));
    expect(r.rounds[1]!.tallies).toEqual(
      ['85', '41.71414', '43.28571', '45.42855', '29.85713', '38.28568', '35.99997', '25.71426', '29.28568', '35.85713', '31.28571', '29.99997', '25.57142',
       '20', '27.28571', '18.28571', '15', '14.71426', '15.28571', '22.14284', '13.85713', '7.14284', '17.14281', '8', '0'].map(u),
    );
    const last = (stage: number): string[] => c(1, 2, 3, 4, 6, 9, 10, 11).map((i) => (Number(r.rounds[stage - 1]!.tallies[i]) / STV_SCALE).toFixed(5));
    expect(last(19)).toEqual(['85.00000', '86.14269', '76.42855', '75.57139', '83.85707', '74.28565', '72.85710', '71.85710']);
    expect(last(20)).toEqual(['85.00000', '85.00000', '76.81681', '75.62821', '84.07673', '74.31973', '72.95556', '71.96312']);
    expect(last(21)).toEqual(['85.00000', '85.00000', '92.11386', '86.92718', '93.41548', '82.18064', '81.25831', '0.00000']);
    expect(r.rounds.map((x) => (x.detail as Record<string, unknown>).nonTransferableTotal)).toEqual(
      ['0', '0.85713', '0.85713', '0.85713', '1.85713', '2.85713', '3.85713', '5.71426', '6.71426', '7.71426', '7.71426', '10.71426', '15.71426',
       '17.99997', '22.85710', '27.14281', '35.99994', '40.99994', '50.99994', '51.23856', '71.10325'].map(u),
    );
    expect([d(r, 1).truncationLossTotal, d(r, 20).truncationLossTotal]).toEqual([u('0.00051'), u('0.00128')]);
  });
});

describe('countScottishStv: tie-breaking', () => {
  /*
   * A 5, B 3, C 2 (C then B), D 1 (D then C then B); 1 seat, quota ⌊11/2⌋ + 1 = 6.
   * Stage 2 excludes D → C 3 = B 3. Rule 51(2): at stage 1 C had fewer (2 < 3), so C goes, even
   * though the lot would exclude B; C's 3 papers then give B 6 = quota. By lot alone A would win.
   */
  it('rule 51(2): equal lowest totals are broken by the latest earlier stage where they differed, before lot', () => {
    const r = countScottishStv({ candidates: 4, seats: 1, lotOrder: [0, 2, 3, 1], ballots: ballots([[5, [0]], [3, [1]], [2, [2, 1]], [1, [3, 2, 1]]]) });
    expect(r.rounds.map((x) => x.eliminated)).toEqual([[], [3], [2]]);
    expect(r.rounds[2]!.tieBreak).toBe('rule 51(2): lowest at stage 1 among [1, 2] → 2');
    expect(r.winners).toEqual([1]);
  });

  /*
   * X 20 (6 → A, 10 → B, 4 plumpers), A 8, B 6, Y 6, Z 5; 4 seats, quota ⌊45/5⌋ + 1 = 10.
   * Stage 2 transfers X's surplus 10 at TV 0.5: A 8 + 3 = 11 = B 6 + 5. Both elected with surplus 1;
   * rule 49(2): at stage 1 A had more (8 > 6), so A's surplus goes first although the lot favours B.
   */
  it('rule 49(2): equal surpluses go in the order of the latest earlier stage where the totals differed', () => {
    const r = countScottishStv({
      candidates: 5,
      seats: 4,
      lotOrder: [2, 1, 0, 3, 4],
      ballots: ballots([[6, [0, 1]], [10, [0, 2]], [4, [0]], [8, [1, 3]], [6, [2, 4]], [6, [3]], [5, [4]]]),
    });
    expect(r.rounds[1]!.tallies.slice(1, 3)).toEqual([u('11'), u('11')]);
    expect(r.rounds[1]!.elected).toEqual([1, 2]);
    expect(d(r, 2).from).toBe(1);
    expect(r.rounds[2]!.tieBreak).toBe('rule 49(2): highest at stage 1 among [1, 2] → 1');
  });

  it('rule 49(3): equal surpluses equal at every stage are transferred in lot order', () => {
    // A 4 (then C), B 4 (then D), C 1, D 1; 3 seats, quota ⌊10/4⌋ + 1 = 3: A and B elected at
    // stage 1 with a surplus of 1 each, level there and with no earlier stage to look back to.
    const input = (lotOrder: number[]): CountInput<RankedBallot> => ({
      candidates: 4,
      seats: 3,
      lotOrder,
      ballots: ballots([[4, [0, 2]], [4, [1, 3]], [1, [2]], [1, [3]]]),
    });
    const first = countScottishStv(input([0, 1, 2, 3]));
    const second = countScottishStv(input([1, 0, 2, 3]));
    expect(d(first, 1).from).toBe(0);
    expect(d(second, 1).from).toBe(1);
    expect(first.rounds[1]!.tieBreak).toBe('rule 49(2): lot among [0, 1] → 0');
    // Order of election at stage 1 (rule 47, same totals): the lot-favoured candidate first.
    expect(first.winners.slice(0, 2)).toEqual([0, 1]);
    expect(second.winners.slice(0, 2)).toEqual([1, 0]);
  });
});

describe('countScottishStv: edge cases', () => {
  it('seats = candidates: every candidate is elected at stage 1 (rule 52), highest first, the unvoted one too', () => {
    const r = countScottishStv({ candidates: 3, seats: 3, lotOrder: [0, 1, 2], ballots: ballots([[1, [0]], [3, [2, 0]]]) });
    expect(r.winners).toEqual([2, 0, 1]);
    expect(r.rounds).toHaveLength(1);
    expect(r.rounds[0]!.elected).toEqual([2, 0, 1]);
  });

  it('no ballots, or only blank ones: nobody is elected, one round of zeros (docs/methods.md, "Nothing to count")', () => {
    for (const none of [[], ballots([[4, []]])]) {
      const r = countScottishStv({ candidates: 3, seats: 2, lotOrder: [1, 2, 0], ballots: none });
      expect(r.winners).toEqual([]);
      expect(r.rounds).toEqual([{ round: 1, tallies: [0, 0, 0], elected: [], eliminated: [] }]);
    }
  });

  it('a single valid paper still fills every seat: the rest by exclusion in lot order and rule 52', () => {
    const r = countScottishStv({ candidates: 4, seats: 2, lotOrder: [3, 2, 1, 0], ballots: ballots([[1, [1]]]) });
    expect(d(r, 0).quota).toBe(u('1'));
    expect(r.rounds.map((x) => [x.elected, x.eliminated])).toEqual([[[1], []], [[], [0]], [[3], [2]]]);
    expect(r.winners).toEqual([1, 3]);
  });

  it('ballots exhausting early: the surplus and the exclusions are non-transferable, rule 52 fills the rest', () => {
    // 0 ×5, 1 ×1; 2 seats; quota ⌊6/3⌋ + 1 = 3. TV = ⌊2/5⌋₅ = 0.40000 on 5 papers with no next preference.
    const r = countScottishStv({ candidates: 4, seats: 2, lotOrder: [0, 1, 2, 3], ballots: ballots([[5, [0]], [1, [1]]]) });
    expect(d(r, 1)).toMatchObject({ surplus: u('2'), nonTransferable: u('2'), truncationLoss: 0 });
    expect(r.rounds.map((x) => x.eliminated)).toEqual([[], [], [3], [2]]);
    expect(r.winners).toEqual([0, 1]);
  });

  it('a ranking with no preference is rejected (rule 43): neither counted nor in the quota', () => {
    const r = countScottishStv({ candidates: 2, seats: 1, lotOrder: [0, 1], ballots: ballots([[3, []], [2, [0]], [1, [1]]]) });
    expect(d(r, 0)).toMatchObject({ blank: 3, totalValid: u('3'), quota: u('2') });
    expect(r.winners).toEqual([0]);
  });

  /*
   * X 2,000,000,002 (then Y), Y 999,999,999, Z 1; 2 seats: quota ⌊3,000,000,002 / 3⌋ + 1 = 1,000,000,001,
   * surplus 1,000,000,001 of 2,000,000,002: TV exactly 0.50000. In units, surplus × 10^5 is 10^19-ish,
   * past 2^53, where floating point gives 0.49999: the product must be exact (bigint).
   */
  it('large weights: the transfer value stays exact where surplus × value passes 2^53', () => {
    const r = countScottishStv({ candidates: 3, seats: 2, lotOrder: [0, 1, 2], ballots: ballots([[2_000_000_002, [0, 1]], [999_999_999, [1]], [1, [2]]]) });
    expect(d(r, 1).transferValues).toEqual([{ paperValue: u('1'), transferValue: u('0.5') }]);
    expect(r.rounds[1]!.tallies[1]).toBe(u('2000000000'));
    expect(r.winners).toEqual([0, 1]);
  });

  it('refuses a total weight whose 10^-5 units would pass 2^53', () => {
    expect(() => countScottishStv({ candidates: 2, seats: 1, lotOrder: [0, 1], ballots: ballots([[100_000_000_000, [0]]]) })).toThrow(/2\^53/);
  });

  it('refuses malformed input with a clear error', () => {
    const ok = { candidates: 2, seats: 1, lotOrder: [0, 1], ballots: ballots([[1, [0]]]) };
    expect(() => countScottishStv({ ...ok, lotOrder: [0, 0] })).toThrow(/lotOrder/);
    expect(() => countScottishStv({ ...ok, ballots: ballots([[1, [0, 0]]]) })).toThrow(/twice/);
    expect(() => countScottishStv({ ...ok, ballots: ballots([[1, [2]]]) })).toThrow(/not in 0 … 1/);
    expect(() => countScottishStv({ ...ok, ballots: ballots([[0, [0]]]) })).toThrow(/weight/);
    expect(() => countScottishStv({ ...ok, seats: 0 })).toThrow(/seats/);
    expect(() => countScottishStv({ ...ok, seats: 3 })).toThrow(/seats/);
  });
});

const election = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record({
    candidates: fc.constant(n),
    seats: fc.integer({ min: 1, max: n }),
    ballots: fc.array(fc.record({ weight: fc.integer({ min: 1, max: 4 }), ranking: fc.shuffledSubarray(range(n)) }), { maxLength: 40 }),
    lotOrder: fc.shuffledSubarray(range(n), { minLength: n, maxLength: n }),
  }),
);

describe('countScottishStv: properties', () => {
  it('one seat, full rankings: a candidate with a majority of first preferences wins at stage 1', () => {
    const arb = fc.integer({ min: 2, max: 6 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        winner: fc.integer({ min: 0, max: n - 1 }),
        others: fc.array(fc.record({ weight: fc.integer({ min: 1, max: 4 }), ranking: fc.shuffledSubarray(range(n), { minLength: n, maxLength: n }) }), { maxLength: 30 }),
        tail: fc.shuffledSubarray(range(n), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ n, winner, others, tail }) => {
        const against = others.filter((b) => b.ranking[0] !== winner).reduce((a, b) => a + b.weight, 0);
        const majority = { weight: against + 1, ranking: [winner, ...tail.filter((c) => c !== winner)] };
        const r = countScottishStv({ candidates: n, seats: 1, ballots: [...others, majority], lotOrder: range(n) });
        expect(r.winners).toEqual([winner]);
        expect(r.rounds[0]!.elected).toEqual([winner]);
      }),
    );
  });

  it('the count does not depend on the order of the ballots', () => {
    const arb = election.chain((e) => fc.record({ e: fc.constant(e), shuffled: fc.shuffledSubarray(e.ballots, { minLength: e.ballots.length, maxLength: e.ballots.length }) }));
    fc.assert(
      fc.property(arb, ({ e, shuffled }) => {
        expect(countScottishStv({ ...e, ballots: shuffled })).toEqual(countScottishStv(e));
      }),
    );
  });

  it('a ballot of weight w counts exactly as w ballots of weight 1', () => {
    fc.assert(
      fc.property(election, (e) => {
        const copies = e.ballots.flatMap((b) => Array.from({ length: b.weight }, () => ({ weight: 1, ranking: b.ranking })));
        expect(countScottishStv({ ...e, ballots: copies })).toEqual(countScottishStv(e));
      }),
    );
  });

  it('every stage conserves the valid vote exactly: tallies + non-transferable + truncation loss', () => {
    fc.assert(
      fc.property(election, (e) => {
        const r = countScottishStv(e);
        const valid = e.ballots.filter((b) => b.ranking.length > 0).reduce((a, b) => a + b.weight, 0);
        if (valid === 0) expect(r.rounds).toHaveLength(1);
        for (const round of valid === 0 ? [] : r.rounds) {
          const x = round.detail as { totalValid: number; nonTransferableTotal: number; truncationLossTotal: number };
          const held = round.tallies.reduce<number>((a, t) => a + Number(t), 0);
          expect(x.totalValid).toBe(valid * STV_SCALE);
          expect(held + x.nonTransferableTotal + x.truncationLossTotal).toBe(x.totalValid);
          // Each paper loses less than one unit per surplus transfer: the loss stays below the papers held.
          expect(x.truncationLossTotal).toBeGreaterThanOrEqual(0);
          expect(x.truncationLossTotal).toBeLessThanOrEqual(Math.max(0, valid * (r.rounds.length - 1)));
        }
        expect(new Set(r.winners).size).toBe(r.winners.length);
        expect(r.winners).toHaveLength(valid === 0 ? 0 : e.seats);
      }),
    );
  });
});
