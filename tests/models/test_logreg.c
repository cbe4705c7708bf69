/*
 * test_logreg.c — unit tests of logreg.c: a known coefficient vector found
 * again from generated data (in original and standardised units), holdout
 * AUC, the AUC of perfect, reversed, constant and tied scores, separable
 * data kept finite by the penalty, rows with NAN skipped, constant and
 * duplicated features, holdout splits by PRNG and by id, bad arguments.
 *
 * Uses: cmocka, logreg.h, rng.h (to generate the data).
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

#include "models/logreg.h"
#include "util/rng.h"
#include "segrt.h"

/* |a - b| <= tol, with the values in the message (cmocka 1.1.5 has no
 * assert_double_equal). */
#define assert_near(a, b, tol) assert_near_at((a), (b), (tol), #a, __FILE__, __LINE__)

static void assert_near_at(double a, double b, double tol, const char *what, const char *file,
                           int line)
{
    if (!(fabs(a - b) <= tol))
        fail_msg("%s:%d: %s = %.17g, expected %.17g within %g", file, line, what, a, b, tol);
}

/* The model the data is drawn from, in original units. Features have
 * different means and spreads, so original and standardised coefficients
 * differ. */
#define D 4
static const double true_coef[D] = { 1.5, -2.0, 0.0, 0.7 };
static const double true_intercept = -0.5;
static const double feat_mean[D] = { 1.0, -2.0, 5.0, 0.0 };
static const double feat_sd[D] = { 1.0, 0.5, 2.0, 3.0 };

typedef struct data {
    size_t n;
    double *x; /* n×D */
    uint8_t *y;
} data;

static data generate(size_t n, uint64_t seed)
{
    data g = { n, malloc(n * D * sizeof(double)), malloc(n) };
    assert_non_null(g.x);
    assert_non_null(g.y);
    rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double z = true_intercept;
        for (size_t j = 0; j < D; j++) {
            g.x[i * D + j] = feat_mean[j] + feat_sd[j] * rng_normal(&r);
            z += true_coef[j] * g.x[i * D + j];
        }
        g.y[i] = rng_uniform(&r) < 1.0 / (1.0 + exp(-z));
    }
    return g;
}

static void data_free(data *g)
{
    free(g->x);
    free(g->y);
}

static void fit_ok(const double *x, const uint8_t *y, size_t n, size_t d, double lambda,
                   logreg_model *m)
{
    int rc = logreg_fit(x, y, n, d, lambda, m);
    if (rc != SEGRT_OK)
        fail_msg("logreg_fit(n=%zu d=%zu lambda=%g): %s", n, d, lambda, segrt_errname(rc));
}

/* ---- fitting ---- */

static void test_logreg_recovers_known_coefficients(void **state)
{
    (void)state;
    data g = generate(40000, 1);
    logreg_model m;

    fit_ok(g.x, g.y, g.n, D, LOGREG_DEFAULT_LAMBDA, &m);
    assert_true(m.converged);
    assert_int_equal(m.gradient_steps, 0);
    assert_true(m.iterations >= 3 && m.iterations < 20);
    assert_int_equal(m.n_used, g.n);
    assert_int_equal(m.n_skipped, 0);
    for (size_t j = 0; j < D; j++) {
        if (true_coef[j] == 0.0) {
            assert_near(m.coef[j], 0.0, 0.05);
        } else {
            assert_true((m.coef[j] > 0) == (true_coef[j] > 0));
            assert_near(m.coef[j], true_coef[j], 0.15 * fabs(true_coef[j]));
        }
        /* Both scales describe the same model. */
        assert_near(m.coef_std[j], m.coef[j] * m.sd[j], 1e-12);
        assert_near(m.mean[j], feat_mean[j], 0.05 * feat_sd[j]);
        assert_near(m.sd[j], feat_sd[j], 0.05 * feat_sd[j]);
    }
    assert_near(m.intercept, true_intercept, 0.15);

    /* logreg_predict agrees with the original-unit formula. */
    for (size_t i = 0; i < 100; i++) {
        const double *row = g.x + i * D;
        double z = m.intercept;
        for (size_t j = 0; j < D; j++)
            z += m.coef[j] * row[j];
        assert_near(logreg_predict(&m, row), 1.0 / (1.0 + exp(-z)), 1e-12);
    }
    logreg_model_free(&m);
    data_free(&g);
}

static void test_logreg_holdout_auc_is_well_above_chance(void **state)
{
    (void)state;
    data g = generate(20000, 2);
    uint8_t *hold = malloc(g.n);
    double *xt = malloc(g.n * D * sizeof *xt), *score = malloc(g.n * sizeof *score);
    uint8_t *yt = malloc(g.n), *yh = malloc(g.n);
    assert_true(hold && xt && score && yt && yh);

    assert_int_equal(logreg_holdout_split(g.n, 0.2, 7, hold), SEGRT_OK);
    size_t nt = 0, nh = 0;
    for (size_t i = 0; i < g.n; i++) {
        if (hold[i])
            continue;
        memcpy(xt + nt * D, g.x + i * D, D * sizeof *xt);
        yt[nt++] = g.y[i];
    }
    logreg_model m;
    fit_ok(xt, yt, nt, D, LOGREG_DEFAULT_LAMBDA, &m);
    for (size_t i = 0; i < g.n; i++) {
        if (!hold[i])
            continue;
        score[nh] = logreg_predict(&m, g.x + i * D);
        assert_true(score[nh] > 0.0 && score[nh] < 1.0);
        yh[nh++] = g.y[i];
    }
    assert_int_equal(nh, 4000);
    double a = logreg_auc(score, yh, nh);
    if (!(a > 0.75))
        fail_msg("holdout AUC %.4f", a);

    logreg_model_free(&m);
    free(hold);
    free(xt);
    free(score);
    free(yt);
    free(yh);
    data_free(&g);
}

static void test_logreg_separable_data_stays_finite(void **state)
{
    (void)state;
    /* y is exactly x0 > 0.5: without a penalty the coefficient of x0 would
     * run to infinity. */
    const size_t n = 2000, d = 2;
    double *x = malloc(n * d * sizeof *x);
    uint8_t *y = malloc(n);
    double *score = malloc(n * sizeof *score);
    assert_true(x && y && score);
    rng r;
    rng_seed(&r, 3);
    for (size_t i = 0; i < n; i++) {
        x[i * d] = rng_uniform(&r);
        x[i * d + 1] = rng_normal(&r);
        y[i] = x[i * d] > 0.5;
    }
    logreg_model m;

    fit_ok(x, y, n, d, LOGREG_DEFAULT_LAMBDA, &m);
    assert_true(m.converged);
    assert_true(isfinite(m.intercept) && isfinite(m.loss));
    for (size_t j = 0; j < d; j++)
        assert_true(isfinite(m.coef[j]) && fabs(m.coef_std[j]) < 1000.0);
    assert_true(m.coef[0] > 10.0); /* steep */
    assert_true(fabs(m.coef_std[1]) < 0.1 * fabs(m.coef_std[0]));
    /* The penalty leaves the slope finite, so rows within a hair of the
     * boundary may land on the wrong side; hardly any do. */
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) {
        score[i] = logreg_predict(&m, x + i * d);
        wrong += (score[i] > 0.5) != y[i];
    }
    assert_true(wrong < n / 200);
    assert_true(logreg_auc(score, y, n) > 0.999);

    /* A bigger penalty shrinks the coefficients. */
    logreg_model m2;
    fit_ok(x, y, n, d, 1e-2, &m2);
    assert_true(fabs(m2.coef_std[0]) < fabs(m.coef_std[0]));

    logreg_model_free(&m);
    logreg_model_free(&m2);
    free(x);
    free(y);
    free(score);
}

static void test_logreg_rows_with_nan_are_skipped(void **state)
{
    (void)state;
    data g = generate(3000, 4);
    const size_t m = g.n + 30;
    double *x = malloc(m * D * sizeof *x);
    uint8_t *y = malloc(m);
    assert_true(x && y);
    for (size_t i = 0, src = 0; i < m; i++) {
        if (i % 100 == 50) { /* a bad row, with a label that would matter */
            for (size_t j = 0; j < D; j++)
                x[i * D + j] = 1e6;
            x[i * D + (i / 100) % D] = (i / 100) % 3 ? NAN : -INFINITY;
            y[i] = 1;
        } else {
            memcpy(x + i * D, g.x + src * D, D * sizeof *x);
            y[i] = g.y[src++];
        }
    }
    logreg_model with, without;

    fit_ok(x, y, m, D, LOGREG_DEFAULT_LAMBDA, &with);
    fit_ok(g.x, g.y, g.n, D, LOGREG_DEFAULT_LAMBDA, &without);
    assert_int_equal(with.n_used, g.n);
    assert_int_equal(with.n_skipped, 30);
    /* The same rows in the same order: the very same numbers. */
    assert_memory_equal(with.coef, without.coef, D * sizeof(double));
    assert_memory_equal(&with.intercept, &without.intercept, sizeof(double));
    assert_memory_equal(with.mean, without.mean, D * sizeof(double));
    assert_memory_equal(with.sd, without.sd, D * sizeof(double));

    double row[D] = { 1, 2, NAN, 4 };
    assert_true(isnan(logreg_predict(&with, row)));

    logreg_model_free(&with);
    logreg_model_free(&without);
    free(x);
    free(y);
    data_free(&g);
}

static void test_logreg_constant_feature_gets_zero_coefficient(void **state)
{
    (void)state;
    data g = generate(5000, 5);
    for (size_t i = 0; i < g.n; i++)
        g.x[i * D + 2] = 0.1; /* constant: its true coefficient is 0 anyway */
    logreg_model m;

    /* Even with no penalty at all the system stays solvable. */
    fit_ok(g.x, g.y, g.n, D, 0.0, &m);
    assert_true(m.converged);
    assert_int_equal(m.gradient_steps, 0);
    assert_true(m.sd[2] == 0.0);
    assert_true(m.mean[2] == 0.1);
    assert_true(m.coef[2] == 0.0 && m.coef_std[2] == 0.0);
    assert_near(m.coef[0], true_coef[0], 0.15 * fabs(true_coef[0]));
    logreg_model_free(&m);
    data_free(&g);
}

static void test_logreg_duplicated_feature_falls_back_to_gradient_steps(void **state)
{
    (void)state;
    /* Feature 1 is a copy of feature 0: with lambda 0 the Hessian is
     * singular, and only their sum is identified. */
    const size_t n = 5000, d = 2;
    double *x = malloc(n * d * sizeof *x);
    uint8_t *y = malloc(n);
    assert_true(x && y);
    rng r;
    rng_seed(&r, 6);
    for (size_t i = 0; i < n; i++) {
        x[i * d] = x[i * d + 1] = rng_normal(&r);
        y[i] = rng_uniform(&r) < 1.0 / (1.0 + exp(-(0.3 + 1.2 * x[i * d])));
    }
    logreg_model m;

    fit_ok(x, y, n, d, 0.0, &m);
    assert_true(m.gradient_steps > 0);
    assert_true(isfinite(m.coef[0]) && isfinite(m.coef[1]));
    assert_near(m.coef[0] + m.coef[1], 1.2, 0.15 * 1.2);
    assert_near(m.coef[0], m.coef[1], 1e-9);
    logreg_model_free(&m);
    free(x);
    free(y);
}

static void test_logreg_rejects_bad_input(void **state)
{
    (void)state;
    double x[4] = { 1, 2, 3, 4 };
    uint8_t y[4] = { 0, 1, 0, 1 }, ones[4] = { 1, 1, 1, 1 }, two[4] = { 0, 1, 2, 0 };
    double xnan[4] = { 1, NAN, 3, NAN }; /* the usable rows are all y = 0 */
    logreg_model m;
    memset(&m, 0xab, sizeof m);

    assert_int_equal(logreg_fit(x, ones, 4, 1, 1e-4, &m), SEGRT_EINVAL);
    assert_null(m.coef);
    assert_null(m.mean);
    assert_int_equal(logreg_fit(x, two, 4, 1, 1e-4, &m), SEGRT_EINVAL);
    assert_int_equal(logreg_fit(xnan, y, 4, 1, 1e-4, &m), SEGRT_EINVAL);
    assert_int_equal(logreg_fit(x, y, 4, 1, -1.0, &m), SEGRT_EINVAL);
    assert_int_equal(logreg_fit(x, y, 4, 1, NAN, &m), SEGRT_EINVAL);
    assert_int_equal(logreg_fit(x, y, 4, 1, INFINITY, &m), SEGRT_EINVAL);
    assert_int_equal(logreg_fit(x, y, 4, 0, 1e-4, &m), SEGRT_EINVAL);
    assert_int_equal(logreg_fit(x, y, 0, 1, 1e-4, &m), SEGRT_EINVAL);
    assert_int_equal(logreg_fit(NULL, y, 4, 1, 1e-4, &m), SEGRT_EINVAL);
    assert_int_equal(logreg_fit(x, y, 4, 1, 1e-4, NULL), SEGRT_EINVAL);
    /* Sizes whose arrays cannot be addressed: refused before any allocation. */
    assert_int_equal(logreg_fit(x, y, SIZE_MAX / 4, 2, 1e-4, &m), SEGRT_ENOMEM);
    assert_null(m.coef);
    logreg_model_free(&m);
    logreg_model_free(NULL);

    /* Four rows are enough for a fit. */
    fit_ok(x, y, 4, 1, 1e-4, &m);
    assert_int_equal(m.n_pos, 2);
    logreg_model_free(&m);
}

/* ---- AUC ---- */

static void test_logreg_auc_of_perfect_reversed_and_constant_scores(void **state)
{
    (void)state;
    const size_t n = 1000;
    double *s = malloc(n * sizeof *s), *rev = malloc(n * sizeof *rev);
    double *flat = malloc(n * sizeof *flat);
    uint8_t *y = malloc(n);
    assert_true(s && rev && flat && y);
    rng r;
    rng_seed(&r, 8);
    for (size_t i = 0; i < n; i++) {
        y[i] = rng_uniform(&r) < 0.3;
        s[i] = y[i] ? 1.0 + rng_uniform(&r) : rng_uniform(&r); /* positives all above */
        rev[i] = -s[i];
        flat[i] = 0.25;
    }
    assert_true(logreg_auc(s, y, n) == 1.0);
    assert_true(logreg_auc(rev, y, n) == 0.0);
    assert_true(logreg_auc(flat, y, n) == 0.5);
    free(s);
    free(rev);
    free(flat);
    free(y);
}

static void test_logreg_auc_counts_ties_as_half(void **state)
{
    (void)state;
    /* Pairs (positive, negative): (2,1) 1, (2,2) 1/2, (3,1) 1, (3,2) 1: 3.5 of 4. */
    const double s[4] = { 1, 2, 2, 3 };
    const uint8_t y[4] = { 0, 1, 0, 1 };
    assert_true(logreg_auc(s, y, 4) == 0.875);

    /* A NAN score drops its row; any nonzero label is positive. */
    const double s2[6] = { 1, NAN, 2, 2, 3, NAN };
    const uint8_t y2[6] = { 0, 1, 7, 0, 1, 0 };
    assert_true(logreg_auc(s2, y2, 6) == 0.875);

    /* Against a brute-force count over all pairs. */
    const size_t n = 300;
    double v[300];
    uint8_t lab[300];
    rng r;
    rng_seed(&r, 9);
    for (size_t i = 0; i < n; i++) {
        v[i] = (double)rng_below(&r, 20); /* many ties */
        lab[i] = rng_uniform(&r) < 0.4;
    }
    double wins = 0.0, pairs = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (lab[i] && !lab[j]) {
                wins += v[i] > v[j] ? 1.0 : v[i] == v[j] ? 0.5 : 0.0;
                pairs += 1.0;
            }
    assert_near(logreg_auc(v, lab, n), wins / pairs, 1e-12);
}

static void test_logreg_auc_without_both_classes_is_nan(void **state)
{
    (void)state;
    const double s[3] = { 1, 2, 3 };
    const uint8_t pos[3] = { 1, 1, 1 }, neg[3] = { 0, 0, 0 };
    const double nans[2] = { NAN, NAN };
    const uint8_t y[2] = { 0, 1 };

    assert_true(isnan(logreg_auc(s, pos, 3)));
    assert_true(isnan(logreg_auc(s, neg, 3)));
    assert_true(isnan(logreg_auc(nans, y, 2)));
    assert_true(isnan(logreg_auc(s, pos, 0)));
}

/* ---- holdout ---- */

static void test_logreg_holdout_split_is_exact_and_repeatable(void **state)
{
    (void)state;
    const size_t n = 1001;
    uint8_t a[1001], b[1001], c[1001];

    assert_int_equal(logreg_holdout_split(n, 0.2, 42, a), SEGRT_OK);
    assert_int_equal(logreg_holdout_split(n, 0.2, 42, b), SEGRT_OK);
    assert_int_equal(logreg_holdout_split(n, 0.2, 43, c), SEGRT_OK);
    assert_memory_equal(a, b, n);
    assert_memory_not_equal(a, c, n);
    size_t na = 0, nc = 0, first_half = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(a[i] <= 1);
        na += a[i];
        nc += c[i];
        first_half += i < n / 2 && a[i];
    }
    assert_int_equal(na, 200); /* round(1001 * 0.2) */
    assert_int_equal(nc, 200);
    assert_true(first_half > 70 && first_half < 130); /* spread out, not a prefix */

    assert_int_equal(logreg_holdout_split(n, 0.0, 1, a), SEGRT_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(a[i], 0);
    assert_int_equal(logreg_holdout_split(n, 1.0, 1, a), SEGRT_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(a[i], 1);
    assert_int_equal(logreg_holdout_split(n, 1.5, 1, a), SEGRT_EINVAL);
    assert_int_equal(logreg_holdout_split(n, -0.1, 1, a), SEGRT_EINVAL);
    assert_int_equal(logreg_holdout_split(n, NAN, 1, a), SEGRT_EINVAL);
    assert_int_equal(logreg_holdout_split(0, 0.5, 1, NULL), SEGRT_OK);
}

static void test_logreg_holdout_by_id_is_stable(void **state)
{
    (void)state;
    char id[32];
    size_t held = 0, moved = 0;
    const size_t n = 20000;

    for (size_t i = 0; i < n; i++) {
        int len = snprintf(id, sizeof id, "c%07zu", i);
        int h = logreg_holdout_id(id, (size_t)len, 0.2, 1);
        assert_true(h == 0 || h == 1);
        assert_int_equal(logreg_holdout_id(id, (size_t)len, 0.2, 1), h);
        held += (size_t)h;
        moved += logreg_holdout_id(id, (size_t)len, 0.2, 2) != h;
        assert_int_equal(logreg_holdout_id(id, (size_t)len, 0.0, 1), 0);
        assert_int_equal(logreg_holdout_id(id, (size_t)len, 1.0, 1), 1);
    }
    /* 20% of ids, within 4 standard deviations (0.28%). */
    assert_true(held > n * 0.189 && held < n * 0.211);
    /* Another seed is another split: about 2 * 0.2 * 0.8 of the ids change side. */
    assert_true(moved > n * 0.28 && moved < n * 0.36);
    assert_int_equal(logreg_holdout_id("", 0, 0.5, 1), logreg_holdout_id("", 0, 0.5, 1));
    assert_int_equal(logreg_holdout_id("x", 1, NAN, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logreg_recovers_known_coefficients),
        cmocka_unit_test(test_logreg_holdout_auc_is_well_above_chance),
        cmocka_unit_test(test_logreg_separable_data_stays_finite),
        cmocka_unit_test(test_logreg_rows_with_nan_are_skipped),
        cmocka_unit_test(test_logreg_constant_feature_gets_zero_coefficient),
        cmocka_unit_test(test_logreg_duplicated_feature_falls_back_to_gradient_steps),
        cmocka_unit_test(test_logreg_rejects_bad_input),
        cmocka_unit_test(test_logreg_auc_of_perfect_reversed_and_constant_scores),
        cmocka_unit_test(test_logreg_auc_counts_ties_as_half),
        cmocka_unit_test(test_logreg_auc_without_both_classes_is_nan),
        cmocka_unit_test(test_logreg_holdout_split_is_exact_and_repeatable),
        cmocka_unit_test(test_logreg_holdout_by_id_is_stable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
