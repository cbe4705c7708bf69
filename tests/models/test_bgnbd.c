/*
 * test_bgnbd.c — unit tests of bgnbd.c, the BG/NBD model: the fit on the
 * CDNOW calibration summary against Fader, Hardie & Lee (2005) and
 * lifetimes (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL -9582.4);
 * the log-likelihood, P(alive) and conditional expected purchases against
 * values computed independently with mpmath at 30 digits (the expectation
 * both by 2F1 and by integrating the posterior numerically); 2F1 against
 * closed forms; properties; inputs that are refused; and fits of samples
 * simulated from the model (tens of thousands of distinct durations and
 * thousands of distinct frequencies: the grouping's hash sets and radix
 * sort) that recover the parameters, land on the optimum to 1e-5 and do
 * not depend on the order of the rows.
 *
 * The shared data directory is $SEGRT_SHARED, else ../shared next to the
 * source tree (SEGRT_SOURCE_DIR/..), as in the CI checkout.
 *
 * Uses: cmocka, bgnbd.h, cba.h.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

#include "models/bgnbd.h"
#include "models/cba.h"

#define CDNOW_CUSTOMERS 2357

/* The estimates of FHL 2005 (table 1 and the text), as lifetimes' tests round them. */
static const bgnbd_params paper = { 0.243, 4.414, 0.793, 2.426 };

/* ------------------------------------------------------------ the CDNOW summary */


/* cdnow_customers_summary.csv (ID,frequency,recency,T in weeks) as rows, by ID. */
static int read_summary(void **state)
{
    char path[TU_PATH_MAX];
    FILE *f = fopen(tu_cdnow_path(path, sizeof path, "cdnow_customers_summary.csv"), "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s (set SEGRT_SHARED to the shared directory)\n", path);
        return -1;
    }
    cba_row *rows = calloc(CDNOW_CUSTOMERS, sizeof *rows);
    char line[256];
    unsigned id, seen = 0;
    double x, t_x, T;
    int ok = rows != NULL && fgets(line, sizeof line, f) != NULL;
    while (ok && fgets(line, sizeof line, f)) {
        ok = sscanf(line, "%u,%lf,%lf,%lf", &id, &x, &t_x, &T) == 4 && id >= 1 &&
             id <= CDNOW_CUSTOMERS;
        if (ok) {
            rows[id - 1] = (cba_row){ x, t_x, T, 0, 1 };
            seen++;
        }
    }
    fclose(f);
    if (!ok || seen != CDNOW_CUSTOMERS) {
        free(rows);
        return -1;
    }
    *state = rows;
    return 0;
}

static int free_summary(void **state)
{
    free(*state);
    return 0;
}

/* ------------------------------------------------------------ helpers */

static void assert_rel(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol * fabs(want)))
        fail_msg("%s = %.17g, expected %.17g (relative tolerance %g)", what, got, want, tol);
}

/* ------------------------------------------------------------ the fit */

static void test_bgnbd_fit_on_cdnow_matches_the_paper(void **state)
{
    const cba_row *rows = *state;
    bgnbd_params p;
    double ll;
    assert_int_equal(bgnbd_fit(rows, CDNOW_CUSTOMERS, &p, &ll), SEGRT_OK);
    printf("CDNOW fit: r = %.6f alpha = %.6f a = %.6f b = %.6f, log-likelihood %.4f\n", p.r,
           p.alpha, p.a, p.b, ll);
    assert_rel(p.r, paper.r, 0.01, "r");
    assert_rel(p.alpha, paper.alpha, 0.01, "alpha");
    assert_rel(p.a, paper.a, 0.01, "a");
    assert_rel(p.b, paper.b, 0.01, "b");
    /* mpmath: -9582.42683118 at the paper's rounded estimates; the optimum is above it. */
    assert_true(ll >= -9582.42683118 && ll < -9582.3);
    /* The grouped likelihood of the fit is the plain sum over rows. */
    assert_rel(bgnbd_loglik(&p, rows, CDNOW_CUSTOMERS), ll, 1e-12, "loglik at the fit");
    /* A maximum: a step of 0.1% in any parameter, either way, does no better. */
    for (int j = 0; j < 4; j++)
        for (int sign = -1; sign <= 1; sign += 2) {
            bgnbd_params q = p;
            double *v = j == 0 ? &q.r : j == 1 ? &q.alpha : j == 2 ? &q.a : &q.b;
            *v *= 1 + sign * 1e-3;
            assert_true(bgnbd_loglik(&q, rows, CDNOW_CUSTOMERS) < ll);
        }
}

static void test_bgnbd_fit_leaves_out_rows_without_a_purchase(void **state)
{
    const cba_row *rows = *state;
    size_t n = CDNOW_CUSTOMERS + 3;
    cba_row *more = malloc(n * sizeof *more);
    assert_non_null(more);
    /* Non-buyers first, last and in the middle, with values no buyer could have. */
    more[0] = (cba_row){ -1, 5, 2, 0, 0 };
    memcpy(more + 1, rows, 1000 * sizeof *rows);
    more[1001] = (cba_row){ NAN, NAN, NAN, NAN, 0 };
    memcpy(more + 1002, rows + 1000, (CDNOW_CUSTOMERS - 1000) * sizeof *rows);
    more[n - 1] = (cba_row){ 0, 0, 0, 0, 0 };
    bgnbd_params p, q;
    double ll, ll2;
    assert_int_equal(bgnbd_fit(rows, CDNOW_CUSTOMERS, &p, &ll), SEGRT_OK);
    assert_int_equal(bgnbd_fit(more, n, &q, &ll2), SEGRT_OK);
    assert_rel(q.r, p.r, 1e-6, "r");
    assert_rel(q.alpha, p.alpha, 1e-6, "alpha");
    assert_rel(q.a, p.a, 1e-6, "a");
    assert_rel(q.b, p.b, 1e-6, "b");
    assert_rel(ll2, ll, 1e-10, "loglik");
    free(more);
}

static void test_bgnbd_fit_refuses_data_without_an_optimum(void **state)
{
    (void)state;
    bgnbd_params p = { 1, 1, 1, 1 };
    double ll = 1;
    /* Nobody bought. */
    const cba_row none[] = { { 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0 } };
    assert_int_equal(bgnbd_fit(none, 2, &p, &ll), SEGRT_EINVAL);
    assert_true(p.r == 0 && p.alpha == 0 && p.a == 0 && p.b == 0 && ll == 0);
    assert_int_equal(bgnbd_fit(NULL, 0, &p, NULL), SEGRT_EINVAL);
    /* Nobody came back: r runs off to 0. */
    const cba_row once[] = { { 0, 0, 10, 0, 1 }, { 0, 0, 20, 0, 1 }, { 0, 0, 5, 0, 1 } };
    assert_int_equal(bgnbd_fit(once, 3, &p, &ll), SEGRT_EINVAL);
    assert_true(p.r == 0 && ll == 0);
    /* Rows that are not summaries. */
    const cba_row bad[][2] = {
        { { 1, 5, 10, 0, 1 }, { 2, 11, 10, 0, 1 } },  /* t_x > T */
        { { 1, 5, 10, 0, 1 }, { 1.5, 5, 10, 0, 1 } }, /* x not whole */
        { { 1, 5, 10, 0, 1 }, { -1, 5, 10, 0, 1 } },  /* x < 0 */
        { { 1, 5, 10, 0, 1 }, { 1, NAN, 10, 0, 1 } },
        { { 1, 5, 10, 0, 1 }, { 1, 5, INFINITY, 0, 1 } },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bgnbd_fit(bad[i], 2, &p, &ll), SEGRT_EINVAL);
        assert_true(isnan(bgnbd_loglik(&paper, bad[i], 2)));
    }
}

/* ------------------------------------------------------------ larger samples */

/* A small deterministic generator (a 64-bit LCG), uniform on (0, 1). */
static double uniform(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

/*
 * n customers drawn from the BG/NBD model with r = 1 (lambda exponential,
 * rate alpha = 4) and p ~ Beta(1, 3), over ages T uniform on (0, 100];
 * durations rounded to 1/step (step 0: not rounded, so nearly all
 * distinct). Every fifth row is a non-buyer.
 */
static cba_row *simulate(size_t n, double step, uint64_t seed)
{
    cba_row *rows = malloc(n * sizeof *rows);
    assert_non_null(rows);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        double T = 100 * uniform(&s);
        double lambda = -log(uniform(&s)) / 4, p = 1 - pow(uniform(&s), 1.0 / 3);
        double t = 0, t_x = 0, x = 0;
        for (;;) {
            t += -log(uniform(&s)) / lambda;
            if (t > T)
                break;
            x += 1;
            t_x = t;
            if (uniform(&s) < p)
                break;
        }
        if (step > 0) {
            T = ceil(T * step) / step;
            t_x = ceil(t_x * step) / step;
        }
        rows[i] = (cba_row){ x, x > 0 ? t_x : 0, T, 0, i % 5 != 4 };
    }
    return rows;
}

/*
 * The fit of rows[0 .. n) into *p and *ll: the grouped likelihood is the
 * plain sum, and a relative step of h in any parameter, either way, does no
 * better (Newton's method lands on the optimum itself, so h can be small).
 */
static void assert_a_tight_maximum(const cba_row *rows, size_t n, double h, bgnbd_params *p,
                                   double *ll)
{
    assert_int_equal(bgnbd_fit(rows, n, p, ll), SEGRT_OK);
    assert_rel(bgnbd_loglik(p, rows, n), *ll, 1e-12, "loglik at the fit");
    for (int j = 0; j < 4; j++)
        for (int sign = -1; sign <= 1; sign += 2) {
            bgnbd_params q = *p;
            double *v = j == 0 ? &q.r : j == 1 ? &q.alpha : j == 2 ? &q.a : &q.b;
            *v *= 1 + sign * h;
            assert_true(bgnbd_loglik(&q, rows, n) < *ll);
        }
}

static void test_bgnbd_fit_recovers_simulated_parameters(void **state)
{
    (void)state;
    /* Durations in whole days, in weeks (the CLV scoring's case), and not rounded at all:
     * tens of thousands of distinct durations and triples. */
    const double steps[] = { 7, 0 };
    for (size_t k = 0; k < 2; k++) {
        size_t n = 50000;
        cba_row *rows = simulate(n, steps[k], 12345);
        bgnbd_params p;
        double ll;
        assert_a_tight_maximum(rows, n, 1e-5, &p, &ll);
        printf("simulated (step %g): r = %.4f alpha = %.4f a = %.4f b = %.4f\n", steps[k], p.r,
               p.alpha, p.a, p.b);
        assert_rel(p.r, 1, 0.15, "r");
        assert_rel(p.alpha, 4, 0.15, "alpha");
        assert_rel(p.a, 1, 0.25, "a");
        assert_rel(p.b, 3, 0.25, "b");
        /* The same rows in another order (and -0 for 0) fit the same. */
        for (size_t i = 0; i < n / 2; i++) {
            cba_row w = rows[i];
            rows[i] = rows[n - 1 - i];
            rows[n - 1 - i] = w;
        }
        for (size_t i = 0; i < n; i++)
            if (rows[i].recency == 0)
                rows[i].recency = -0.0;
        bgnbd_params q;
        double ll2;
        assert_int_equal(bgnbd_fit(rows, n, &q, &ll2), SEGRT_OK);
        assert_rel(q.r, p.r, 1e-12, "r, reordered");
        assert_rel(q.alpha, p.alpha, 1e-12, "alpha, reordered");
        assert_rel(q.a, p.a, 1e-12, "a, reordered");
        assert_rel(q.b, p.b, 1e-12, "b, reordered");
        assert_rel(ll2, ll, 1e-14, "loglik, reordered");
        free(rows);
    }
}

static void test_bgnbd_fit_groups_thousands_of_frequencies(void **state)
{
    (void)state;
    /* A simulated sample with 3000 heavy buyers, each with a frequency of its own. */
    size_t n = 20000, heavy = 3000;
    cba_row *rows = simulate(n, 7, 99);
    for (size_t i = 0; i < heavy; i++)
        rows[i] = (cba_row){ (double)(100 + i), 90 + (double)(i % 10), 100, 0, 1 };
    bgnbd_params p;
    double ll;
    /* The log-likelihood is some 1e7 here, and rounding some 1e-7: steps of 1e-4. */
    assert_a_tight_maximum(rows, n, 1e-4, &p, &ll);
    free(rows);
}

/* ------------------------------------------------------------ log-likelihood */

static void test_bgnbd_loglik_matches_an_independent_computation(void **state)
{
    const cba_row *rows = *state;
    /* mpmath, 30 digits, eq. 6 of FHL 2005 summed over the 2,357 rows. */
    assert_rel(bgnbd_loglik(&paper, rows, CDNOW_CUSTOMERS), -9582.42683118, 1e-11, "loglik");
    const bgnbd_params bad[] = { { 0, 1, 1, 1 }, { 1, -1, 1, 1 }, { 1, 1, NAN, 1 },
                                 { 1, 1, 1, INFINITY } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_true(isnan(bgnbd_loglik(&bad[i], rows, CDNOW_CUSTOMERS)));
    assert_true(bgnbd_loglik(&paper, NULL, 0) == 0);
}

/* ------------------------------------------------------------ scoring */

/* One customer, a horizon t, and mpmath's P(alive) and E[purchases in t]. */
typedef struct score_case {
    double x, t_x, T, t;
    double p_alive, expected;
} score_case;

/*
 * mpmath at 30 digits with the paper's parameters; E by FHL eq. 10 with
 * mp.hyp2f1, which agreed to 1e-26 with P(alive) times the numerical
 * integral of (1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p over the posterior
 * p ~ Beta(a, b+x) (lambda ~ Gamma(r+x, alpha+T) integrated out).
 */
static const score_case cases[] = {
    { 2, 30.43, 38.86, 1, 0.72657857008067291, 0.037447969741732263 }, /* customer 1 */
    { 2, 30.43, 38.86, 10, 0.72657857008067291, 0.35697336026564976 },
    { 2, 30.43, 38.86, 39, 0.72657857008067291, 1.2260281747671445 },
    { 2, 30.43, 38.86, 1000, 0.72657857008067291, 10.120518988765318 },
    { 1, 1.71, 38.86, 39, 0.21210098537737908, 0.20318698707975406 }, /* customer 2 */
    { 0, 0, 38.86, 1, 1.0, 0.0055956578894840522 },
    { 0, 0, 38.86, 39, 1.0, 0.19509805201126264 },
    { 0, 0, 38.86, 5000, 1.0, 4.9315639008518184 },
    { 0, 0, 0, 10, 1.0, 0.43241336223442559 },
    { 29, 38.14, 38.86, 39, 0.95916746751111013, 19.532645675782319 },
    { 29, 38.14, 38.86, 400, 0.95916746751111013, 86.63133770427521 },
    { 5, 10, 30, 10, 0.077951770591341244, 0.10958820023905597 },
    { 1, 0.14, 27, 39, 0.21714791623552926, 0.27338090758092423 },
    { 3, 20, 30, 0.001, 0.64704713120464503, 6.0973945256127494e-5 },
};

static void test_bgnbd_scores_match_an_independent_computation(void **state)
{
    (void)state;
    char what[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const score_case *c = &cases[i];
        snprintf(what, sizeof what, "p_alive(x=%g, t_x=%g, T=%g)", c->x, c->t_x, c->T);
        assert_rel(bgnbd_p_alive(&paper, c->x, c->t_x, c->T), c->p_alive, 1e-13, what);
        snprintf(what, sizeof what, "expected(t=%g, x=%g, t_x=%g, T=%g)", c->t, c->x, c->t_x,
                 c->T);
        assert_rel(bgnbd_expected(&paper, c->t, c->x, c->t_x, c->T), c->expected, 1e-10, what);
    }
    /* a > 1 (the sign of a - 1 flips in eq. 10); mpmath again. */
    const bgnbd_params p2 = { 0.5, 2.0, 1.7, 3.0 };
    assert_rel(bgnbd_p_alive(&p2, 3, 20, 30), 0.4421064676883329, 1e-13, "p_alive, a > 1");
    assert_rel(bgnbd_expected(&p2, 10, 3, 20, 30), 0.41968902095067349, 1e-10, "E, a > 1");
    assert_rel(bgnbd_expected(&p2, 52, 0, 0, 12), 1.0313080661757931, 1e-10, "E, a > 1, x = 0");
}

static void test_bgnbd_scores_have_the_expected_shape(void **state)
{
    (void)state;
    /* Nobody who has not come back yet has dropped out (they drop out after a purchase). */
    for (double T = 0; T <= 100; T += 12.5)
        assert_true(bgnbd_p_alive(&paper, 0, 0, T) == 1);
    /* The longer the silence since the last purchase, the less likely alive. */
    double prev = 1;
    for (double T = 10; T <= 100; T += 10) {
        double pa = bgnbd_p_alive(&paper, 3, 10, T);
        assert_true(pa > 0 && pa < prev);
        prev = pa;
    }
    /* More purchases over the same period with the last one just now: more alive. */
    assert_true(bgnbd_p_alive(&paper, 10, 30, 30) > bgnbd_p_alive(&paper, 1, 30, 30));
    /* Expected purchases start at 0 and grow with the horizon. */
    const double who[][3] = { { 0, 0, 38.86 }, { 2, 30.43, 38.86 }, { 29, 38.14, 38.86 } };
    for (size_t i = 0; i < 3; i++) {
        assert_true(bgnbd_expected(&paper, 0, who[i][0], who[i][1], who[i][2]) == 0);
        double e = 0;
        for (double t = 0.5; t <= 520; t *= 1.5) {
            double next = bgnbd_expected(&paper, t, who[i][0], who[i][1], who[i][2]);
            assert_true(next > e);
            e = next;
        }
    }
}

static void test_bgnbd_scores_outside_the_domain_are_nan(void **state)
{
    (void)state;
    const bgnbd_params a_is_1 = { 0.5, 2, 1, 3 }, bad = { -1, 1, 1, 1 };
    assert_true(isnan(bgnbd_expected(&a_is_1, 10, 1, 5, 10)));
    assert_true(isnan(bgnbd_expected(&paper, -1, 1, 5, 10)));
    assert_true(isnan(bgnbd_expected(&paper, INFINITY, 1, 5, 10)));
    assert_true(isnan(bgnbd_expected(&paper, 10, 1, 11, 10))); /* t_x > T */
    assert_true(isnan(bgnbd_expected(&bad, 10, 1, 5, 10)));
    assert_true(isnan(bgnbd_p_alive(&bad, 1, 5, 10)));
    assert_true(isnan(bgnbd_p_alive(&paper, 1, 5, NAN)));
    /* a + b + x - 1 <= 0: 2F1's c is not positive. */
    const bgnbd_params small = { 0.5, 2, 0.2, 0.3 };
    assert_true(isnan(bgnbd_expected(&small, 10, 0, 0, 10)));
    /* z so close to 1 that the series would need more than 1e6 terms. */
    assert_true(isnan(bgnbd_expected(&paper, 1e12, 2, 30.43, 38.86)));
}

/* ------------------------------------------------------------ 2F1 */

static void test_bgnbd_hyp2f1_matches_closed_forms(void **state)
{
    (void)state;
    const double zs[] = { 0, 1e-9, 0.1, 0.5, 0.9, 0.99, 0.999 };
    char what[64];
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
        double z = zs[i];
        /* 2F1(1, 1; 2; z) = -log(1 - z) / z */
        snprintf(what, sizeof what, "2F1(1,1;2;%g)", z);
        assert_rel(bgnbd_hyp2f1(1, 1, 2, z), z == 0 ? 1 : -log1p(-z) / z, 1e-13, what);
        /* 2F1(a, b; b; z) = (1 - z)^-a */
        snprintf(what, sizeof what, "2F1(0.7,2.5;2.5;%g)", z);
        assert_rel(bgnbd_hyp2f1(0.7, 2.5, 2.5, z), pow(1 - z, -0.7), 1e-13, what);
    }
    /* mpmath */
    assert_rel(bgnbd_hyp2f1(0.5, 1.5, 2.25, 0.9), 1.8339506877255496, 1e-13, "2F1 mp 1");
    assert_rel(bgnbd_hyp2f1(30, 31, 32, 0.99), 1.0682028175260491e+58, 1e-12, "2F1 mp 2");
    assert_true(isnan(bgnbd_hyp2f1(1, 1, 2, 1)));
    assert_true(isnan(bgnbd_hyp2f1(1, 1, 2, -0.5)));
    assert_true(isnan(bgnbd_hyp2f1(1, 1, -2, 0.5)));
    assert_true(isnan(bgnbd_hyp2f1(NAN, 1, 2, 0.5)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bgnbd_fit_on_cdnow_matches_the_paper),
        cmocka_unit_test(test_bgnbd_fit_leaves_out_rows_without_a_purchase),
        cmocka_unit_test(test_bgnbd_fit_refuses_data_without_an_optimum),
        cmocka_unit_test(test_bgnbd_fit_recovers_simulated_parameters),
        cmocka_unit_test(test_bgnbd_fit_groups_thousands_of_frequencies),
        cmocka_unit_test(test_bgnbd_loglik_matches_an_independent_computation),
        cmocka_unit_test(test_bgnbd_scores_match_an_independent_computation),
        cmocka_unit_test(test_bgnbd_scores_have_the_expected_shape),
        cmocka_unit_test(test_bgnbd_scores_outside_the_domain_are_nan),
        cmocka_unit_test(test_bgnbd_hyp2f1_matches_closed_forms),
    };
    return cmocka_run_group_tests(tests, read_summary, free_summary);
}
