/* batch.c — `bootlens analyze -j N HIVE... | DIR`: many hives in parallel.
 * Each worker analyzes one hive at a time and the result is streamed as it
 * completes: one JSON object per line (--format jsonl/json) or one summary
 * line (text).  A bad hive yields an error line and the batch goes on.
 * --summary aggregates across the fleet: which rules fire on how many
 * machines, which filters delay which classes where.  Beyond one machine,
 * fan the same JSONL out with GNU parallel or a job queue (doc/fleet.md). */
#include "cli.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct agg_entry {
    char *key;   /* "rule" or "filter|class" */
    uint32_t hives;
    char *example; /* first hive it was seen on */
} agg_entry;

typedef struct batch {
    const bl_cli *c;
    const bl_knowledge *knowledge;
    char **paths;
    uint32_t npaths, cappaths;
    uint32_t next, done;
    pthread_mutex_t lock;
    FILE *out;
    bool progress;
    uint32_t unusable, with_findings, clean;
    int worst;
    agg_entry *rules, *filters;
    uint32_t nrules, caprules, nfilters, capfilters;
} batch;

static void add_path(batch *b, const char *p)
{
    bl_grow((void **)&b->paths, sizeof *b->paths, &b->cappaths, b->npaths + 1);
    b->paths[b->npaths++] = bl_xstrdup(p);
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory contributes its regular files, except transaction logs. */
static void add_dir(batch *b, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        add_path(b, dir); /* reported as unusable by the worker */
        return;
    }
    uint32_t first = b->npaths;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        const char *dot = strrchr(e->d_name, '.');
        if (dot && (bl_fold_eq(dot, ".LOG") || bl_fold_eq(dot, ".LOG1") || bl_fold_eq(dot, ".LOG2")))
            continue;
        bl_sb p = {0};
        bl_sb_addf(&p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(bl_sb_str(&p), &st) == 0 && S_ISREG(st.st_mode))
            add_path(b, bl_sb_str(&p));
        bl_sb_free(&p);
    }
    closedir(d);
    qsort(b->paths + first, b->npaths - first, sizeof *b->paths, path_cmp);
}

static void agg_add(agg_entry **v, uint32_t *n, uint32_t *cap, const char *key, const char *hive)
{
    for (uint32_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].key, key) == 0) {
            (*v)[i].hives++;
            return;
        }
    bl_grow((void **)v, sizeof **v, cap, *n + 1);
    (*v)[*n].key = bl_xstrdup(key);
    (*v)[*n].hives = 1;
    (*v)[*n].example = bl_xstrdup(hive);
    (*n)++;
}

/* Records the per-hive facts the fleet summary needs (under the lock). */
static void aggregate(batch *b, const char *path, const bl_session *s)
{
    const bl_findings *f = &s->findings;
    /* Each rule counts once per hive. */
    for (uint32_t i = 0; i < f->n; i++) {
        bool dup = false;
        for (uint32_t k = 0; k < i && !dup; k++)
            dup = strcmp(f->v[k].rule, f->v[i].rule) == 0 && f->v[k].severity == f->v[i].severity;
        if (dup)
            continue;
        bl_sb key = {0};
        bl_sb_addf(&key, "%s|%s", f->v[i].rule, bl_severity_name(f->v[i].severity));
        agg_add(&b->rules, &b->nrules, &b->caprules, bl_sb_str(&key), path);
        bl_sb_free(&key);
    }
    const bl_model *m = s->model;
    const bl_timeline *t = s->timeline;
    bl_sb seen = {0};
    for (uint32_t d = 0; d < m->ndevices; d++) {
        uint32_t fsvc = t->devices[d].deferred_by;
        if (fsvc == BL_NONE)
            continue;
        bl_sb key = {0};
        bl_sb_addf(&key, "%s|%s|%s", bl_model_service_name(m, fsvc),
                   bl_model_device_class_name(m, &m->devices[d]),
                   t->devices[d].phase == BL_PHASE_PNP ? "out of boot phase" : "later in boot phase");
        bl_sb probe = {0};
        bl_sb_addf(&probe, "\n%s\n", bl_sb_str(&key));
        if (!strstr(bl_sb_str(&seen), bl_sb_str(&probe))) {
            bl_sb_add(&seen, bl_sb_str(&probe));
            agg_add(&b->filters, &b->nfilters, &b->capfilters, bl_sb_str(&key), path);
        }
        bl_sb_free(&probe);
        bl_sb_free(&key);
    }
    bl_sb_free(&seen);
}

static void emit(batch *b, const char *path, const bl_session *s, const char *error)
{
    const bl_cli *c = b->c;
    pthread_mutex_lock(&b->lock);
    if (error) {
        b->unusable++;
        b->worst = BL_EXIT_INPUT;
        if (c->format == BL_FMT_TEXT) {
            if (!c->summary)
                fprintf(b->out, "%s: unusable: %s\n", path, error);
        } else {
            /* What could not be read has no size or digest. */
            cJSON *in = cJSON_CreateArray();
            bl_json_add_input(in, "hive", path, path, -1, NULL);
            cJSON *o = bl_json_envelope("analyze", in);
            cJSON *h = cJSON_AddObjectToObject(o, "hive");
            cJSON_AddStringToObject(h, "path", path);
            cJSON_AddStringToObject(o, "error", error);
            bl_json_print(b->out, o, true);
        }
    } else {
        uint32_t counts[3];
        bl_findings_count(&s->findings, counts);
        int rc = bl_exit_for(c, &s->findings);
        if (rc > b->worst)
            b->worst = rc;
        if (counts[2] || counts[1])
            b->with_findings++;
        else
            b->clean++;
        if (c->format == BL_FMT_TEXT) {
            if (!c->summary) {
                fprintf(b->out, "%s: %u error%s, %u warning%s, %u info", path, counts[2],
                        counts[2] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "" : "s", counts[0]);
                for (uint32_t i = 0; i < s->findings.n && s->findings.v[i].severity == BL_SEV_ERROR; i++)
                    fprintf(b->out, "%s %s", i ? ";" : " —", s->findings.v[i].message);
                fputc('\n', b->out);
            }
        } else {
            bl_json_print(b->out, bl_json_analysis(&s->analysis), true);
        }
        if (c->summary)
            aggregate(b, path, s);
    }
    fflush(b->out);
    b->done++;
    if (b->progress)
        fprintf(stderr, "\r[%u/%u] %s\033[K", b->done, b->npaths, path);
    pthread_mutex_unlock(&b->lock);
}

static void *worker(void *arg)
{
    batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        uint32_t i = b->next < b->npaths ? b->next++ : UINT32_MAX;
        pthread_mutex_unlock(&b->lock);
        if (i == UINT32_MAX)
            return NULL;
        bl_session s;
        bl_error err = {{0}};
        if (bl_session_load(&s, b->c, b->paths[i], true, b->knowledge, &err) != 0) {
            emit(b, b->paths[i], NULL, err.msg);
            continue;
        }
        emit(b, b->paths[i], &s, NULL);
        bl_session_close(&s);
    }
}

static int agg_cmp(const void *x, const void *y)
{
    const agg_entry *a = x, *b = y;
    if (a->hives != b->hives)
        return a->hives > b->hives ? -1 : 1;
    return strcmp(a->key, b->key);
}

static void print_summary(batch *b)
{
    FILE *out = b->out;
    qsort(b->rules, b->nrules, sizeof *b->rules, agg_cmp);
    qsort(b->filters, b->nfilters, sizeof *b->filters, agg_cmp);
    uint32_t usable = b->npaths - b->unusable;
    if (b->c->format != BL_FMT_TEXT) {
        /* The fleet's inputs are those of the lines before it. */
        cJSON *o = bl_json_envelope("analyze", NULL);
        cJSON *sum = cJSON_AddObjectToObject(o, "summary");
        cJSON_AddNumberToObject(sum, "hives", b->npaths);
        cJSON_AddNumberToObject(sum, "unusable", b->unusable);
        cJSON_AddNumberToObject(sum, "with_warnings_or_errors", b->with_findings);
        cJSON_AddNumberToObject(sum, "clean", b->clean);
        cJSON *r = cJSON_AddArrayToObject(sum, "rules");
        for (uint32_t i = 0; i < b->nrules; i++) {
            cJSON *e = cJSON_CreateObject();
            char *k = bl_xstrdup(b->rules[i].key);
            char *sev = strchr(k, '|');
            *sev++ = '\0';
            cJSON_AddStringToObject(e, "rule", k);
            cJSON_AddStringToObject(e, "severity", sev);
            free(k);
            cJSON_AddNumberToObject(e, "hives", b->rules[i].hives);
            cJSON_AddStringToObject(e, "example", b->rules[i].example);
            cJSON_AddItemToArray(r, e);
        }
        cJSON *fl = cJSON_AddArrayToObject(sum, "delaying_filters");
        for (uint32_t i = 0; i < b->nfilters; i++) {
            char *k = bl_xstrdup(b->filters[i].key);
            char *cls = strchr(k, '|');
            *cls++ = '\0';
            char *how = strchr(cls, '|');
            *how++ = '\0';
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "filter", k);
            cJSON_AddStringToObject(e, "class", cls);
            cJSON_AddStringToObject(e, "effect", how);
            cJSON_AddNumberToObject(e, "hives", b->filters[i].hives);
            cJSON_AddStringToObject(e, "example", b->filters[i].example);
            cJSON_AddItemToArray(fl, e);
            free(k);
        }
        bl_json_print(out, o, b->c->format == BL_FMT_JSONL);
        return;
    }
    fprintf(out, "Fleet summary: %u hives (%u usable, %u unusable); %u with warnings or errors, %u clean.\n",
            b->npaths, usable, b->unusable, b->with_findings, b->clean);
    if (b->nfilters) {
        fprintf(out, "\nFilters that delay devices:\n  %-6s %-24s %-20s %s\n", "HIVES", "FILTER", "CLASS", "EFFECT");
        for (uint32_t i = 0; i < b->nfilters; i++) {
            char *k = bl_xstrdup(b->filters[i].key);
            char *cls = strchr(k, '|');
            *cls++ = '\0';
            char *how = strchr(cls, '|');
            *how++ = '\0';
            fprintf(out, "  %-6u %-24s %-20s %s (e.g. %s)\n", b->filters[i].hives, k, cls, how, b->filters[i].example);
            free(k);
        }
    }
    if (b->nrules) {
        fprintf(out, "\nRules:\n  %-6s %-8s %s\n", "HIVES", "SEVERITY", "RULE");
        for (uint32_t i = 0; i < b->nrules; i++) {
            char *k = bl_xstrdup(b->rules[i].key);
            char *sev = strchr(k, '|');
            *sev++ = '\0';
            fprintf(out, "  %-6u %-8s %s (e.g. %s)\n", b->rules[i].hives, sev, k, b->rules[i].example);
            free(k);
        }
    }
}

int bl_analyze_batch(const bl_cli *c)
{
    batch b;
    memset(&b, 0, sizeof b);
    b.c = c;
    pthread_mutex_init(&b.lock, NULL);
    for (int i = 0; i < c->nargs; i++) {
        struct stat st;
        if (stat(c->args[i], &st) == 0 && S_ISDIR(st.st_mode))
            add_dir(&b, c->args[i]);
        else
            add_path(&b, c->args[i]);
    }
    bl_error err = {{0}};
    bl_knowledge *k = bl_cli_knowledge(c, &err);
    if (!k)
        return bl_input_error(err.msg);
    b.knowledge = k;
    b.out = stdout;
    if (c->output) {
        b.out = fopen(c->output, "w");
        if (!b.out) {
            bl_knowledge_free(k);
            char msg[600];
            snprintf(msg, sizeof msg, "%s: cannot write", c->output);
            return bl_input_error(msg);
        }
    }
    b.progress = isatty(STDERR_FILENO) && b.npaths > 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = c->jobs ? c->jobs : (ncpu > 0 ? (int)ncpu : 1);
    if ((uint32_t)jobs > b.npaths)
        jobs = (int)(b.npaths ? b.npaths : 1);
    pthread_t *th = bl_xcalloc((size_t)jobs, sizeof *th);
    int started = 0;
    for (int i = 0; i < jobs; i++)
        if (pthread_create(&th[i], NULL, worker, &b) == 0)
            started++;
    if (!started)
        worker(&b);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    if (b.progress)
        fputs("\r\033[K", stderr);
    if (c->summary)
        print_summary(&b);
    if (b.out != stdout)
        fclose(b.out);
    for (uint32_t i = 0; i < b.npaths; i++)
        free(b.paths[i]);
    free(b.paths);
    for (uint32_t i = 0; i < b.nrules; i++) {
        free(b.rules[i].key);
        free(b.rules[i].example);
    }
    free(b.rules);
    for (uint32_t i = 0; i < b.nfilters; i++) {
        free(b.filters[i].key);
        free(b.filters[i].example);
    }
    free(b.filters);
    bl_knowledge_free(k);
    pthread_mutex_destroy(&b.lock);
    return b.worst;
}
