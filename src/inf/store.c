/* store.c — where a parsed INF keeps its strings and how it finds them
 * again: an arena that owns every string of a bl_inf (freed in one go), and
 * a hash index from case-folded names to numbers.  The index hash is seeded
 * per index so that an INF crafted to collide its section names cannot make
 * lookups quadratic. */
#include "inf_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

struct inf_arena_chunk {
    inf_arena_chunk *next;
    size_t used, cap;
    char data[];
};

enum { ARENA_CHUNK = 64 * 1024 - 64 };

char *inf_alloc(bl_inf *inf, size_t n)
{
    inf_arena_chunk *c = inf->arena;
    if (c && c->cap - c->used >= n) {
        char *p = c->data + c->used;
        c->used += n;
        return p;
    }
    size_t cap = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
    inf_arena_chunk *nc = bl_xmalloc(sizeof *nc + cap);
    nc->cap = cap;
    nc->used = n;
    if (c && n > ARENA_CHUNK / 4) {
        /* A big string gets a chunk of its own behind the current one, so
         * the current chunk's free space is not wasted. */
        nc->next = c->next;
        c->next = nc;
    } else {
        nc->next = c;
        inf->arena = nc;
    }
    return nc->data;
}

const char *inf_strn(bl_inf *inf, const char *s, size_t n)
{
    char *p = inf_alloc(inf, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

const char *inf_fold(bl_inf *inf, const char *s, size_t n)
{
    bl_sb sb = {0};
    bl_fold_append(&sb, s, n);
    const char *r = inf_strn(inf, bl_sb_str(&sb), sb.len);
    bl_sb_free(&sb);
    return r;
}

void inf_arena_free(bl_inf *inf)
{
    inf_arena_chunk *c = inf->arena;
    while (c) {
        inf_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    inf->arena = NULL;
}

/* ---- index ---- */

/* FNV-1a started from a per-index basis. */
static uint32_t hash(const inf_index *ix, const char *s)
{
    uint32_t h = 2166136261u ^ ix->seed;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h ^ (h >> 15);
}

static uint32_t slot(const inf_index *ix, const char *folded)
{
    uint32_t mask = ix->cap - 1;
    uint32_t i = hash(ix, folded) & mask;
    while (ix->keys[i] && strcmp(ix->keys[i], folded) != 0)
        i = (i + 1) & mask;
    return i;
}

bool inf_index_get(const inf_index *ix, const char *folded, uint32_t *val)
{
    if (!ix->cap)
        return false;
    uint32_t i = slot(ix, folded);
    if (!ix->keys[i])
        return false;
    *val = ix->vals[i];
    return true;
}

uint32_t *inf_index_ref(inf_index *ix, const char *folded, bool *added)
{
    if ((ix->count + 1) * 2 > ix->cap) {
        const char **old_keys = ix->keys;
        uint32_t *old_vals = ix->vals, old_cap = ix->cap;
        /* Heap addresses differ from run to run (ASLR), which is all the
         * unpredictability the seed needs. */
        if (!old_cap)
            ix->seed = (uint32_t)((uintptr_t)ix >> 4) * 2654435761u;
        ix->cap = old_cap ? old_cap * 2 : 64;
        ix->keys = bl_xcalloc(ix->cap, sizeof *ix->keys);
        ix->vals = bl_xcalloc(ix->cap, sizeof *ix->vals);
        for (uint32_t i = 0; i < old_cap; i++) {
            if (old_keys[i]) {
                uint32_t j = slot(ix, old_keys[i]);
                ix->keys[j] = old_keys[i];
                ix->vals[j] = old_vals[i];
            }
        }
        free(old_keys);
        free(old_vals);
    }
    uint32_t i = slot(ix, folded);
    *added = !ix->keys[i];
    if (*added) {
        ix->keys[i] = folded;
        ix->vals[i] = 0;
        ix->count++;
    }
    return &ix->vals[i];
}

bool inf_index_put(inf_index *ix, const char *folded, uint32_t val)
{
    bool added;
    uint32_t *v = inf_index_ref(ix, folded, &added);
    if (added)
        *v = val;
    return added;
}

void inf_index_free(inf_index *ix)
{
    free(ix->keys);
    free(ix->vals);
    memset(ix, 0, sizeof *ix);
}
