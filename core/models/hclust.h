/*
 * hclust.h — agglomerative hierarchical clustering of points under the
 * Euclidean distance with Ward, average or complete linkage (Lance-Williams
 * updates of a distance matrix; each row keeps its nearest neighbour, so a
 * merge costs O(n) but for the rows whose neighbour it was).
 *
 * Clusters are numbered as scipy's linkage numbers them: points 0..n-1,
 * then n + i for the cluster merge i made. Heights: average and complete,
 * the linkage distance; Ward, sqrt(2 nA nB / (nA + nB)) * |cA - cB| (the
 * Lance-Williams Ward distance on Euclidean distances). A tie merges the
 * pair with the smaller (i, j) of the current clusters' first members.
 * Pure computation. Uses: segrt.h (error codes), libm.
 */
#ifndef SEGRT_HCLUST_H
#define SEGRT_HCLUST_H

#include <stddef.h>
#include <stdint.h>

typedef enum hclust_linkage { HCLUST_WARD, HCLUST_AVERAGE, HCLUST_COMPLETE } hclust_linkage;

typedef struct hclust_merge {
    uint32_t a, b;   /* the clusters merged (a < b), numbered as above */
    double height;
    uint32_t size;   /* points in the new cluster */
} hclust_merge;

/*
 * The n - 1 merges of x (n points of d coordinates, row-major) in order
 * into merges. SEGRT_OK, SEGRT_EINVAL for n < 2 or n > 65535, SEGRT_ENOMEM.
 */
int hclust_fit(const double *x, size_t n, size_t d, hclust_linkage l, hclust_merge *merges);
/*
 * Cut the tree into k clusters (undo the last k - 1 merges): labels[i] in
 * 0..k-1 for each point, numbered by their smallest point. SEGRT_OK,
 * SEGRT_EINVAL for k outside 1..n, SEGRT_ENOMEM.
 */
int hclust_cut(const hclust_merge *m, size_t n, size_t k, uint32_t *labels);

#endif
