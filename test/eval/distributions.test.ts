import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lnBeta, lnGamma, normalSf, regGammaQ, regIncBeta, studentTCdf, studentTTwoSidedP } from '../../src/eval/distributions.js';

/** Relative closeness (absolute near 0). */
function close(a: number, b: number, rel: number, msg: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-300), `${msg}: ${a} vs ${b}`);
}

test('student t: textbook quantiles and closed forms', () => {
  // t_{0.975, 10} = 2.228138851986 → two-sided p = 0.05 (tables); scipy: p(2.228) = 0.05001177181711132
  close(studentTTwoSidedP(2.228138851986, 10), 0.05, 1e-10, 't=2.2281, df=10');
  close(studentTTwoSidedP(2.228, 10), 0.05001177181711132, 1e-12, 't=2.228, df=10');
  // df = 1 is Cauchy: P(|T| > 1) = 1/2 exactly; P(|T| > 2) = 1 - 2 atan(2)/π
  close(studentTTwoSidedP(1, 1), 0.5, 1e-13, 'cauchy t=1');
  close(studentTTwoSidedP(2, 1), 1 - (2 * Math.atan(2)) / Math.PI, 1e-13, 'cauchy t=2');
  // df = 2: two-sided p = 1 - t / sqrt(2 + t²)
  for (const t of [0.1, 0.8, 3, 25]) close(studentTTwoSidedP(t, 2), 1 - t / Math.sqrt(2 + t * t), 1e-12, `df=2 t=${t}`);
  // scipy.stats.t values
  close(studentTTwoSidedP(1.5, 7), 0.17729848698997, 1e-12, 'df=7');
  close(studentTCdf(-3.2, 3), 0.0246659214813481, 1e-12, 'cdf df=3');
  close(studentTTwoSidedP(0.3, 120), 0.7646962111751864, 1e-12, 'df=120');
  close(studentTTwoSidedP(12, 5), 7.089492517161522e-05, 1e-11, 'df=5 tail');
  close(studentTTwoSidedP(1.5, 9859), 0.13364642330749055, 1e-11, 'df=9859');
  close(studentTTwoSidedP(4.0, 9859), 6.380520990279307e-05, 1e-10, 'df=9859 tail');
  assert.equal(studentTTwoSidedP(0, 4), 1);
  assert.equal(studentTTwoSidedP(-Infinity, 4), 0);
  close(studentTCdf(1.5, 7) + studentTCdf(-1.5, 7), 1, 1e-14, 'symmetry');
});

test('incomplete beta / gamma and lnGamma against scipy.special', () => {
  close(regIncBeta(0.3, 2.5, 4.0), 0.3521975859067672, 1e-12, 'I_0.3(2.5,4)');
  close(regIncBeta(0.9, 0.5, 0.5), 0.7951672353008665, 1e-12, 'I_0.9(.5,.5)');
  close(regIncBeta(0.01, 50, 30), 2.500032022164931e-79, 1e-10, 'I_0.01(50,30)');
  close(lnGamma(0.5), 0.5723649429247, 1e-13, 'lnΓ(0.5) = ln √π');
  close(lnGamma(10.3), 13.482036786138359, 1e-13, 'lnΓ(10.3)');
  close(lnGamma(1234.5), 7550.550901077894, 1e-13, 'lnΓ(1234.5)');
  close(regGammaQ(3, 2.5), 0.5438131158833297, 1e-12, 'Q(3,2.5)');
  close(regGammaQ(0.5, 0.1), 0.6547208460185768, 1e-12, 'Q(.5,.1)');
  // lnB at large arguments, where lnΓ sums cancel (mpmath, 40 digits)
  close(lnBeta(4929.5, 0.5), -3.6791061205415586, 1e-14, 'lnB(4929.5, .5)');
  close(lnBeta(100000, 7), -74.01143703823164, 1e-14, 'lnB(1e5, 7)');
  close(lnBeta(3, 4), Math.log(1 / 60), 1e-14, 'lnB(3,4) = ln(2!3!/6!)');
  close(studentTTwoSidedP(2.5, 50000), 0.012422507811111598, 1e-11, 'df=5e4 (mpmath)');
  assert.throws(() => regIncBeta(1.5, 1, 1), /x must be in \[0, 1\]/);
});

test('normal tail: 1.96, -5 and the far tail', () => {
  close(2 * normalSf(1.96), 0.04999579029644087, 1e-12, 'z=1.96');
  close(1 - normalSf(-5), 2.866515718791933e-7, 1e-7, 'Φ(-5) via 1 - sf(-5)'); // cancellation: absolute accuracy
  close(normalSf(5), 2.866515718791933e-7, 1e-12, 'sf(5)');
  close(normalSf(8), 6.22096057427174e-16, 1e-11, 'sf(8)');
  assert.equal(normalSf(0), 0.5);
});
