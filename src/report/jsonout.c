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

static void tabs(FILE *out, unsigned n)
{
    while (n--)
        putc('\t', out);
}

/* As cJSON's print_string_ptr. */
static void print_string(FILE *out, const char *s)
{
    putc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 32)
                fprintf(out, "\\u%04x", *p);
            else
                putc(*p, out);
        }
    }
    putc('"', out);
}

/* As cJSON's print_number. */
static void print_number(FILE *out, const cJSON *item)
{
    double d = item->valuedouble;
    char buf[64];
    if (isnan(d) || isinf(d)) {
        fputs("null", out);
        return;
    }
    if (d == (double)item->valueint) {
        fprintf(out, "%d", item->valueint);
        return;
    }
    snprintf(buf, sizeof buf, "%1.15g", d);
    double test = 0;
    if (sscanf(buf, "%lg", &test) != 1 || !(fabs(test - d) <= (fabs(test) > fabs(d) ? fabs(test) : fabs(d)) * DBL_EPSILON))
        snprintf(buf, sizeof buf, "%1.17g", d);
    fputs(buf, out);
}

static void print_value(FILE *out, const cJSON *item, unsigned depth, bool fmt);

static void print_lazy(FILE *out, const lazy *z, unsigned depth, bool fmt)
{
    putc('[', out);
    bool first = true;
    for (uint32_t i = 0; i < z->n; i++) {
        if (z->keep && !z->keep(z->ctx, i))
            continue;
        cJSON *it = z->item(z->ctx, i);
        if (!it)
            continue;
        if (!first)
            fputs(fmt ? ", " : ",", out);
        first = false;
        print_value(out, it, depth + 1, fmt);
        cJSON_Delete(it);
    }
    putc(']', out);
}

/* depth: the nesting of the value, as cJSON's output_buffer->depth. */
static void print_value(FILE *out, const cJSON *item, unsigned depth, bool fmt)
{
    switch (item->type & 0xFF) {
    case cJSON_NULL: fputs("null", out); break;
    case cJSON_False: fputs("false", out); break;
    case cJSON_True: fputs("true", out); break;
    case cJSON_Number: print_number(out, item); break;
    case cJSON_Raw: {
        const lazy *z = lazy_of(item);
        if (z)
            print_lazy(out, z, depth, fmt);
        else if (item->valuestring)
            fputs(item->valuestring, out);
        break;
    }
    case cJSON_String: print_string(out, item->valuestring); break;
    case cJSON_Array: {
        putc('[', out);
        for (const cJSON *c = item->child; c; c = c->next) {
            print_value(out, c, depth + 1, fmt);
            if (c->next)
                fputs(fmt ? ", " : ",", out);
        }
        putc(']', out);
        break;
    }
    case cJSON_Object: {
        putc('{', out);
        if (fmt)
            putc('\n', out);
        for (const cJSON *c = item->child; c; c = c->next) {
            if (fmt)
                tabs(out, depth + 1);
            print_string(out, c->string);
            putc(':', out);
            if (fmt)
                putc('\t', out);
            print_value(out, c, depth + 1, fmt);
            if (c->next)
                putc(',', out);
            if (fmt)
                putc('\n', out);
        }
        if (fmt)
            tabs(out, depth);
        putc('}', out);
        break;
    }
    default: break;
    }
}

void bl_json_print(FILE *out, cJSON *j, bool compact)
{
    if (j) {
        print_value(out, j, 0, !compact);
        putc('\n', out);
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
