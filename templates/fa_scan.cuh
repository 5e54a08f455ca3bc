/* fa_scan.cuh - the key tiles a forward CTA visits, and the tile scan that picks them.
 * Pasted after the variant's device functions (it calls fa_tile_scan_rows and
 * fa_tile_class_scan_keys) and before the kernel template.
 *
 * Without FA_TILE_SCAN a CTA visits fa_tiles' list (its key range and sink tiles). With it
 * (variants whose tile class loads a tensor at indices moving with q or k, such as packed
 * documents, where the plan reserves compiler/plan.c's FA_SCAN_BYTES), every lane group of
 * the CTA (fa_av_scan_i32) first classifies tiles of that list with fa_tile_class_scan
 * over all the CTA's rows (fa_scan_visits), into two bit sets over the list's positions in
 * shared memory: tiles to visit (not EMPTY; sink tiles always) and tiles FULL for every
 * row. Whoever loads and
 * whoever computes then walk the visit set alike (fa_visit_next), so a skipped tile is
 * neither loaded nor waited for. The first visit is fixed before the scan
 * (fa_visit_first), so its copies fly during it. A list longer than FA_SCAN_TILES
 * positions is visited whole.
 */
#define FA_SCAN_WORDS 192 /* 32-bit words of each bit set; after two words (plan.c FA_SCAN_BYTES) */
#define FA_SCAN_TILES (FA_SCAN_WORDS * 32)

struct fa_visits {
    fa_tiles tiles;
    int n; /* tiles visited */
#if FA_TILE_SCAN
    int first, first_cls;        /* the list position visited first (fa_visit_first) and its
                                    class as the scan found it (PARTIAL: not known) */
    const unsigned *keep, *full; /* the bit sets (never holding `first`); NULL: every tile */
#endif
};

/* The list position a CTA visits first. With FA_TILE_SCAN it is fixed before the scan, so
 * that its copies fly during the scan: the first sink tile, else the tile holding the key
 * at the CTA's last row (the diagonal, visible under most masks: a token sees itself),
 * clamped into the list; the scan may still find it EMPTY. Later visits follow list order. */
__device__ __forceinline__ int fa_visit_first(const fa_tiles &t, int qa1)
{
#if FA_TILE_SCAN
    if (t.n_sink > 0 || t.n == 0)
        return 0;
    return min(max((qa1 - 1) / FA_BLOCK_N - t.t_lo, 0), t.n - 1);
#else
    return 0;
#endif
}

/* The first key of the j-th tile visited, for j = 0, 1, ... in turn (v.n of them); *cls:
 * FA_TILE_FULL or FA_TILE_EMPTY where the scan found it so for every row of the CTA, else
 * FA_TILE_PARTIAL (not known). *pos (from 0) is the caller's place in the list, which a
 * scan's walk advances. */
__device__ __forceinline__ int fa_visit_next(const fa_visits &v, int j, int *pos, int *cls)
{
    *cls = FA_TILE_PARTIAL;
#if FA_TILE_SCAN
    if (j == 0) {
        *cls = v.first_cls;
        return fa_tile_at(v.tiles, v.first) * FA_BLOCK_N;
    }
    j = (*pos)++;
    if (v.keep) {
        int word = j / 32;
        unsigned bits = v.keep[word] & (~0u << (j % 32));
        while (bits == 0)
            bits = v.keep[++word];
        j = word * 32 + __ffs(bits) - 1;
        *pos = j + 1;
        *cls = (v.full[word] >> (j % 32)) & 1u ? FA_TILE_FULL : FA_TILE_PARTIAL;
    } else if (j >= v.first) { /* the whole list, but for the first */
        j++;
    }
#endif
    return fa_tile_at(v.tiles, j) * FA_BLOCK_N;
}

#if FA_TILE_SCAN
/* The scan's shared memory at `area` (generic pointer): the visited count, the first
 * visit's class, then the keep and full sets. fa_scan_clear runs before a CTA barrier,
 * fa_scan_visits after it. */
#define FA_SCAN_COUNT 0
#define FA_SCAN_FIRST 1
#define FA_SCAN_KEEP 2
#define FA_SCAN_FULL (2 + FA_SCAN_WORDS)

__device__ __forceinline__ void fa_scan_clear(unsigned *area, const fa_tiles &t)
{
    const int words = (t.n + 31) / 32;
    if (t.n > FA_SCAN_TILES)
        return;
    for (int i = threadIdx.x; i < 2 + 2 * words; i += FA_NUM_WARPS * 32)
        area[i < 2 + words ? i : FA_SCAN_FULL + (i - 2 - words)] = i == FA_SCAN_COUNT ? (t.n > 0) : 0u;
}

/* The visits of list t over rows [qa0, qa1), run by every thread of the CTA: lane group g
 * (FA_SCAN_LANES lanes, fa_av_scan_i32) classifies list positions g, g + FA_SCAN_GROUPS,
 * ... (the visit `first` counts whatever its class), then a CTA barrier, and all read the
 * sets. */
#define FA_SCAN_GROUPS (FA_NUM_WARPS * 32 / FA_SCAN_LANES)
__device__ __forceinline__ fa_visits fa_scan_visits(const fa_args &args, const fa_ctx &c, const fa_tiles &t, int qa0,
                                                    int qa1, int first, unsigned *area)
{
    const bool scanned = t.n <= FA_SCAN_TILES;
    const int group = threadIdx.x / FA_SCAN_LANES, lane = threadIdx.x % FA_SCAN_LANES;
    const fa_scan_rows rows = fa_tile_scan_rows(args, c, qa0, qa1);
    for (int j = group; scanned && j < t.n; j += FA_SCAN_GROUPS) {
        const int n0 = fa_tile_at(t, j) * FA_BLOCK_N;
        const int cls = j < t.n_sink ? FA_TILE_PARTIAL
                                     : fa_tile_class_scan_keys(args, c, rows, n0, min(n0 + FA_BLOCK_N, c.kv_len));
        if (lane != 0)
            continue;
        if (j == first) {
            area[FA_SCAN_FIRST] = (unsigned)cls;
        } else if (cls != FA_TILE_EMPTY) {
            atomicAdd(&area[FA_SCAN_COUNT], 1u);
            atomicOr(&area[FA_SCAN_KEEP + j / 32], 1u << (j % 32));
            if (cls == FA_TILE_FULL)
                atomicOr(&area[FA_SCAN_FULL + j / 32], 1u << (j % 32));
        }
    }
    __syncthreads();
    fa_visits v;
    v.tiles = t;
    v.first = first;
    v.n = scanned ? (int)area[FA_SCAN_COUNT] : t.n;
    v.first_cls = scanned ? (int)area[FA_SCAN_FIRST] : FA_TILE_PARTIAL;
    v.keep = scanned ? area + FA_SCAN_KEEP : NULL;
    v.full = scanned ? area + FA_SCAN_FULL : NULL;
    return v;
}
#endif
