/* jsonout.c — writing JSON without holding the whole document.  A report
 * of a hostile hive may list 200,000 devices: as one cJSON tree, then one
 * printed buffer, that is hundreds of megabytes.  Here the tree is printed
 * node by node to the stream (byte for byte as cJSON_Print / Unformatted
 * write it, so nothing downstream sees a difference), and the big arrays
 * are placeholders whose items are built, printed and freed one at a time
 * (bl_json_lazy_array). */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A placeholder is a raw node whose string is this struct (malloc'd, so
 * cJSON_Delete frees it like any string). */
#define LAZY_MAGIC "\001BLLAZY"

typedef struct lazy {
    char magic[8];
    uint32_t n;
    bl_json_item_fn item;
    bl_json_keep_fn keep;
    const void *ctx;
} lazy;

cJSON *bl_json_lazy_array(uint32_t n, bl_json_item_fn item, bl_json_keep_fn keep, const void *ctx)
{
    lazy *z = bl_xcalloc(1, sizeof *z);
    memcpy(z->magic, LAZY_MAGIC, sizeof LAZY_MAGIC);
    z->n = n;
    z->item = item;
    z->keep = keep;
    z->ctx = ctx;
    cJSON *node = cJSON_CreateRaw("");
    if (!node)
        bl_die("out of memory");
    free(node->valuestring);
    node->valuestring = (char *)z;
    return node;
}

static const lazy *lazy_of(const cJSON *node)
{
    if (!cJSON_IsRaw(node) || !node->valuestring)
        return NULL;
    return memcmp(node->valuestring, LAZY_MAGIC, sizeof LAZY_MAGIC) == 0 ? (const lazy *)node->valuestring : NULL;
}

/* Output through a buffer of our own: the document is written a byte or
 * a short run at a time, and stdio's per-call locking would dominate. */
typedef struct jw {
    FILE *f;
    size_t n;
    char buf[1 << 16];
} jw;

static void jw_flush(jw *w)
{
    if (w->n)
        fwrite(w->buf, 1, w->n, w->f);
    w->n = 0;
}

static void jw_mem(jw *w, const char *s, size_t n)
{
    if (w->n + n > sizeof w->buf) {
        jw_flush(w);
        if (n > sizeof w->buf) {
            fwrite(s, 1, n, w->f);
            return;
        }
    }
    memcpy(w->buf + w->n, s, n);
    w->n += n;
}

static void jw_c(jw *w, char c)
{
    if (w->n == sizeof w->buf)
        jw_flush(w);
    w->buf[w->n++] = c;
}

static void jw_s(jw *w, const char *s)
{
    jw_mem(w, s, strlen(s));
}

static void tabs(jw *out, unsigned n)
{
    while (n--)
        jw_c(out, '\t');
}

/* As cJSON's print_string_ptr: runs that need no escape go out whole. */
static void print_string(jw *out, const char *s)
{
    jw_c(out, '"');
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *run = p;
    for (; *p; p++) {
        if (*p >= 32 && *p != '"' && *p != '\\')
            continue;
        jw_mem(out, (const char *)run, (size_t)(p - run));
        run = p + 1;
        switch (*p) {
        case '"': jw_s(out, "\\\""); break;
        case '\\': jw_s(out, "\\\\"); break;
        case '\b': jw_s(out, "\\b"); break;
        case '\f': jw_s(out, "\\f"); break;
        case '\n': jw_s(out, "\\n"); break;
        case '\r': jw_s(out, "\\r"); break;
        case '\t': jw_s(out, "\\t"); break;
        default: {
            char u[8];
            snprintf(u, sizeof u, "\\u%04x", *p);
            jw_s(out, u);
        }
        }
    }
    jw_mem(out, (const char *)run, (size_t)(p - run));
    jw_c(out, '"');
}

/* As cJSON's print_number. */
static void print_number(jw *out, const cJSON *item)
{
    double d = item->valuedouble;
    char buf[64];
    if (isnan(d) || isinf(d)) {
        jw_s(out, "null");
        return;
    }
    if (d == (double)item->valueint) {
        snprintf(buf, sizeof buf, "%d", item->valueint);
        jw_s(out, buf);
        return;
    }
    snprintf(buf, sizeof buf, "%1.15g", d);
    double test = 0;
    if (sscanf(buf, "%lg", &test) != 1 || !(fabs(test - d) <= (fabs(test) > fabs(d) ? fabs(test) : fabs(d)) * DBL_EPSILON))
        snprintf(buf, sizeof buf, "%1.17g", d);
    jw_s(out, buf);
}

static void print_value(jw *out, const cJSON *item, unsigned depth, bool fmt);

static void print_lazy(jw *out, const lazy *z, unsigned depth, bool fmt)
{
    jw_c(out, '[');
    bool first = true;
    for (uint32_t i = 0; i < z->n; i++) {
        if (z->keep && !z->keep(z->ctx, i))
            continue;
        cJSON *it = z->item(z->ctx, i);
        if (!it)
            continue;
        if (!first)
            jw_s(out, fmt ? ", " : ",");
        first = false;
        print_value(out, it, depth + 1, fmt);
        cJSON_Delete(it);
    }
    jw_c(out, ']');
}

/* depth: the nesting of the value, as cJSON's output_buffer->depth. */
static void print_value(jw *out, const cJSON *item, unsigned depth, bool fmt)
{
    switch (item->type & 0xFF) {
    case cJSON_NULL: jw_s(out, "null"); break;
    case cJSON_False: jw_s(out, "false"); break;
    case cJSON_True: jw_s(out, "true"); break;
    case cJSON_Number: print_number(out, item); break;
    case cJSON_Raw: {
        const lazy *z = lazy_of(item);
        if (z)
            print_lazy(out, z, depth, fmt);
        else if (item->valuestring)
            jw_s(out, item->valuestring);
        break;
    }
    case cJSON_String: print_string(out, item->valuestring); break;
    case cJSON_Array: {
        jw_c(out, '[');
        for (const cJSON *c = item->child; c; c = c->next) {
            print_value(out, c, depth + 1, fmt);
            if (c->next)
                jw_s(out, fmt ? ", " : ",");
        }
        jw_c(out, ']');
        break;
    }
    case cJSON_Object: {
        jw_c(out, '{');
        if (fmt)
            jw_c(out, '\n');
        for (const cJSON *c = item->child; c; c = c->next) {
            if (fmt)
                tabs(out, depth + 1);
            print_string(out, c->string);
            jw_c(out, ':');
            if (fmt)
                jw_c(out, '\t');
            print_value(out, c, depth + 1, fmt);
            if (c->next)
                jw_c(out, ',');
            if (fmt)
                jw_c(out, '\n');
        }
        if (fmt)
            tabs(out, depth);
        jw_c(out, '}');
        break;
    }
    default: break;
    }
}

void bl_json_print(FILE *out, cJSON *j, bool compact)
{
    if (j) {
        jw *w = bl_xmalloc(sizeof *w);
        w->f = out;
        w->n = 0;
        print_value(w, j, 0, !compact);
        jw_c(w, '\n');
        jw_flush(w);
        free(w);
    }
    cJSON_Delete(j);
}

char *bl_json_to_string(cJSON *j, bool compact)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = bl_memstream(&buf, &len);
    bl_json_print(f, j, compact);
    fclose(f);
    return buf;
}
