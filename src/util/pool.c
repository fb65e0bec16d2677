/* pool.c — interned strings and immutable u32 lists (see util.h), plus the
 * small u32->u32 hash map the model uses for its name indexes.
 *
 * Storage is chunked so that pointers handed out never move. */
#include "bootlens/util.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES (64 * 1024)

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t align_[]; /* payload follows */
} chunk;

typedef struct str_entry {
    const char *s;
    uint32_t len;
    uint32_t hash;
    bl_str fold;
} str_entry;

typedef struct vec_entry {
    const uint32_t *items;
    uint32_t n;
} vec_entry;

struct bl_pool {
    unsigned refs;
    chunk *chunks;
    str_entry *strs; /* index = id; strs[0] unused */
    uint32_t nstrs, capstrs;
    uint32_t *table; /* open addressing over string ids */
    uint32_t table_cap;
    vec_entry *vecs;
    uint32_t nvecs, capvecs;
};

static void *pool_alloc(bl_pool *p, size_t n, size_t align)
{
    chunk *c = p->chunks;
    if (c) {
        size_t off = (c->used + align - 1) & ~(align - 1);
        if (off + n <= c->cap) {
            c->used = off + n;
            return (char *)c->align_ + off;
        }
    }
    size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
    c = bl_xmalloc(sizeof(chunk) + cap);
    c->next = p->chunks;
    c->used = n;
    c->cap = cap;
    p->chunks = c;
    return c->align_;
}

bl_pool *bl_pool_new(void)
{
    bl_pool *p = bl_xcalloc(1, sizeof *p);
    p->refs = 1;
    p->nstrs = 1; /* id 0 = absent */
    bl_grow((void **)&p->strs, sizeof *p->strs, &p->capstrs, 64);
    memset(&p->strs[0], 0, sizeof p->strs[0]);
    p->strs[0].s = "";
    p->nvecs = 1; /* id 0 = empty */
    bl_grow((void **)&p->vecs, sizeof *p->vecs, &p->capvecs, 64);
    p->vecs[0].items = NULL;
    p->vecs[0].n = 0;
    p->table_cap = 1024;
    p->table = bl_xcalloc(p->table_cap, sizeof *p->table);
    return p;
}

bl_pool *bl_pool_ref(bl_pool *pool)
{
    pool->refs++;
    return pool;
}

void bl_pool_unref(bl_pool *pool)
{
    if (!pool || --pool->refs)
        return;
    chunk *c = pool->chunks;
    while (c) {
        chunk *n = c->next;
        free(c);
        c = n;
    }
    free(pool->strs);
    free(pool->table);
    free(pool->vecs);
    free(pool);
}

static uint32_t table_slot(const bl_pool *p, const char *s, size_t n, uint32_t h)
{
    uint32_t mask = p->table_cap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t id = p->table[i];
        if (!id)
            return i;
        const str_entry *e = &p->strs[id];
        if (e->hash == h && e->len == n && memcmp(e->s, s, n) == 0)
            return i;
    }
}

static void table_rehash(bl_pool *p)
{
    uint32_t ncap = p->table_cap * 2;
    uint32_t *nt = bl_xcalloc(ncap, sizeof *nt);
    for (uint32_t id = 1; id < p->nstrs; id++) {
        uint32_t mask = ncap - 1, i = p->strs[id].hash & mask;
        while (nt[i])
            i = (i + 1) & mask;
        nt[i] = id;
    }
    free(p->table);
    p->table = nt;
    p->table_cap = ncap;
}

static bl_str intern_raw(bl_pool *p, const char *s, size_t n, uint32_t h)
{
    uint32_t slot = table_slot(p, s, n, h);
    if (p->table[slot])
        return p->table[slot];
    if (n > UINT32_MAX / 2)
        bl_die("string too long to intern");
    bl_grow((void **)&p->strs, sizeof *p->strs, &p->capstrs, p->nstrs + 1);
    char *copy = pool_alloc(p, n + 1, 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    bl_str id = p->nstrs++;
    p->strs[id].s = copy;
    p->strs[id].len = (uint32_t)n;
    p->strs[id].hash = h;
    p->strs[id].fold = id;
    p->table[slot] = id;
    if ((uint64_t)p->nstrs * 2 > p->table_cap)
        table_rehash(p);
    return id;
}

bl_str bl_pool_strn(bl_pool *p, const char *s, size_t n)
{
    /* Registry strings may hold embedded NULs; names end at the first. */
    const char *nul = memchr(s, '\0', n);
    if (nul)
        n = (size_t)(nul - s);
    uint32_t h = bl_hash_bytes(s, n);
    uint32_t slot = table_slot(p, s, n, h);
    if (p->table[slot])
        return p->table[slot];
    bl_str id = intern_raw(p, s, n, h);
    bl_sb f = {0};
    bl_fold_append(&f, s, n);
    if (f.len != n || memcmp(f.buf, s, n) != 0) {
        bl_str fid = intern_raw(p, f.buf, f.len, bl_hash_bytes(f.buf, f.len));
        p->strs[id].fold = fid;
    }
    bl_sb_free(&f);
    return id;
}

bl_str bl_pool_str(bl_pool *p, const char *s)
{
    return s ? bl_pool_strn(p, s, strlen(s)) : 0;
}

const char *bl_pool_get(const bl_pool *p, bl_str id)
{
    if (!p || id >= p->nstrs)
        return "";
    return p->strs[id].s;
}

bl_str bl_pool_fold(const bl_pool *p, bl_str id)
{
    if (!id || id >= p->nstrs)
        return 0;
    return p->strs[id].fold;
}

bl_str bl_pool_find(const bl_pool *p, const char *s)
{
    size_t n = strlen(s);
    uint32_t slot = table_slot(p, s, n, bl_hash_bytes(s, n));
    return p->table[slot];
}

bl_str bl_pool_find_folded(const bl_pool *p, const char *s)
{
    bl_sb f = {0};
    bl_fold_append(&f, s, strlen(s));
    bl_str id = bl_pool_find(p, bl_sb_str(&f));
    bl_sb_free(&f);
    return id;
}

bl_vec bl_pool_vec(bl_pool *p, const uint32_t *items, uint32_t n)
{
    if (!n)
        return 0;
    bl_grow((void **)&p->vecs, sizeof *p->vecs, &p->capvecs, p->nvecs + 1);
    uint32_t *copy = pool_alloc(p, (size_t)n * sizeof *copy, sizeof(uint32_t));
    memcpy(copy, items, (size_t)n * sizeof *copy);
    bl_vec id = p->nvecs++;
    p->vecs[id].items = copy;
    p->vecs[id].n = n;
    return id;
}

uint32_t bl_pool_vec_len(const bl_pool *p, bl_vec v)
{
    return (p && v < p->nvecs) ? p->vecs[v].n : 0;
}

const uint32_t *bl_pool_vec_items(const bl_pool *p, bl_vec v)
{
    return (p && v < p->nvecs) ? p->vecs[v].items : NULL;
}

int bl_pool_vec_find_folded(const bl_pool *p, bl_vec v, bl_str f)
{
    uint32_t n = bl_pool_vec_len(p, v);
    const uint32_t *it = bl_pool_vec_items(p, v);
    for (uint32_t i = 0; i < n; i++)
        if (bl_pool_fold(p, it[i]) == f)
            return (int)i;
    return -1;
}

/* ---- map ---- */

static uint32_t map_hash(uint32_t k)
{
    return k * 2654435761u;
}

static void map_rehash(bl_map *m, uint32_t ncap)
{
    uint32_t *ok = m->keys, *ov = m->vals, ocap = m->cap;
    m->keys = bl_xcalloc(ncap, sizeof *m->keys);
    m->vals = bl_xcalloc(ncap, sizeof *m->vals);
    m->cap = ncap;
    m->count = 0;
    for (uint32_t i = 0; i < ocap; i++)
        if (ok[i])
            bl_map_put(m, ok[i], ov[i]);
    free(ok);
    free(ov);
}

void bl_map_put(bl_map *m, uint32_t key, uint32_t val)
{
    if ((uint64_t)(m->count + 1) * 2 > m->cap)
        map_rehash(m, m->cap ? m->cap * 2 : 64);
    uint32_t mask = m->cap - 1;
    for (uint32_t i = map_hash(key) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return;
        }
        if (!m->keys[i]) {
            m->keys[i] = key;
            m->vals[i] = val;
            m->count++;
            return;
        }
    }
}

bool bl_map_get(const bl_map *m, uint32_t key, uint32_t *val)
{
    if (!m->cap || !key)
        return false;
    uint32_t mask = m->cap - 1;
    for (uint32_t i = map_hash(key) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key) {
            if (val)
                *val = m->vals[i];
            return true;
        }
        if (!m->keys[i])
            return false;
    }
}

void bl_map_copy(bl_map *dst, const bl_map *src)
{
    dst->cap = src->cap;
    dst->count = src->count;
    dst->keys = dst->vals = NULL;
    if (!src->cap)
        return;
    dst->keys = bl_xmalloc((size_t)src->cap * sizeof *dst->keys);
    dst->vals = bl_xmalloc((size_t)src->cap * sizeof *dst->vals);
    memcpy(dst->keys, src->keys, (size_t)src->cap * sizeof *dst->keys);
    memcpy(dst->vals, src->vals, (size_t)src->cap * sizeof *dst->vals);
}

void bl_map_free(bl_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
