/* batch.c — `bootlens analyze HIVE... | DIR [-r] [-j N]`: a fleet of hives.
 *
 * Each hive is analyzed in a child process of its own, up to -j at a time,
 * so that one hostile or huge hive cannot stall or exhaust the fleet: a hive
 * that runs over its time budget (--hive-timeout) or memory budget
 * (--hive-memory, resident memory checked every 20 ms) is stopped, reported
 * with a line saying which budget it exceeded, and the rest completes.  The
 * child sends its result back over a pipe (framed records, below) and the
 * parent streams one line per hive as each completes: a JSON object
 * (--format jsonl/json) or a summary line (text).  --summary aggregates the
 * fleet: which rules fire on how many machines, which filters delay which
 * classes where.  Beyond one machine, fan the same JSONL out with GNU parallel
 * or a job queue (doc/fleet.md).
 *
 * A directory contributes the hives in it (-r: and below it); what is not a
 * hive there — notes, checksums, FIFOs, device links, other kinds of hive —
 * is skipped with a note on standard error, and does not make the run fail.
 * A file named on the command line that cannot be used does. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 64       /* -r: deeper directories are skipped with a note */
#define MAX_NOTES_SHOWN 50 /* skip notes printed; the rest are counted */
#define TICK_MS 20

typedef struct agg_entry {
    char *key; /* "rule|severity" or "filter|class|effect" */
    uint32_t hives;
    char *example; /* first hive it was seen on */
} agg_entry;

typedef struct hive_entry {
    char *path;
    bool from_dir; /* found in a directory: a non-SYSTEM hive is skipped, not unusable */
} hive_entry;

/* A hive being analyzed by a child. */
typedef struct job {
    pid_t pid;
    int fd;
    uint32_t index;
    double start_ms;
    uint64_t peak_kb;
    const char *exceeded; /* "time" or "memory" once stopped */
    bl_sb buf;            /* the records read so far */
} job;

typedef struct batch {
    const bl_cli *c;
    bl_inputs *inputs; /* what -o must not replace: grows with the files the children's images read */
    const bl_knowledge *knowledge;
    hive_entry *hives;
    uint32_t nhives, caphives;
    FILE *out;
    bool progress;
    uint32_t done, unusable, over_budget, skipped, with_findings, clean;
    uint32_t skipped_hives; /* found in a directory, then known to be no SYSTEM hive */
    int worst;
    agg_entry *rules, *filters;
    uint32_t nrules, caprules, nfilters, capfilters;
} batch;

/* ---- collecting the fleet ---- */

static void add_hive(batch *b, const char *p, bool from_dir)
{
    bl_grow((void **)&b->hives, sizeof *b->hives, &b->caphives, b->nhives + 1);
    b->hives[b->nhives].path = bl_xstrdup(p);
    b->hives[b->nhives].from_dir = from_dir;
    b->nhives++;
}

static void skip_note(batch *b, const char *path, const char *why)
{
    if (b->skipped++ < MAX_NOTES_SHOWN)
        fprintf(stderr, "bootlens: %s: skipped: %s\n", path, why);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_log_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (bl_fold_eq(dot, ".LOG") || bl_fold_eq(dot, ".LOG1") || bl_fold_eq(dot, ".LOG2"));
}

/* Whether a regular file starts like a hive ("regf"). */
static bool looks_like_hive(const char *path, const char **why)
{
    struct stat st;
    bl_error err;
    int fd = bl_open_input(path, &st, &err);
    if (fd < 0) {
        *why = "cannot be opened";
        return false;
    }
    char sig[4] = {0};
    ssize_t n = read(fd, sig, sizeof sig);
    close(fd);
    *why = "neither a registry hive (no \"regf\" signature) nor a disk image";
    return n == 4 && memcmp(sig, "regf", 4) == 0;
}

/* A directory contributes its hives (sorted by name); transaction logs are
 * used with their hive, not analyzed on their own. */
static void scan_dir(batch *b, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        add_hive(b, dir, false); /* reported as unusable, with the reason */
        return;
    }
    char **names = NULL;
    uint32_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || is_log_name(e->d_name))
            continue;
        bl_grow((void **)&names, sizeof *names, &cap, n + 1);
        names[n++] = bl_xstrdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, name_cmp);
    for (uint32_t i = 0; i < n; i++) {
        bl_sb p = {0};
        bl_sb_addf(&p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
        const char *path = bl_sb_str(&p), *why;
        bl_sb first = {0};
        bl_error err;
        struct stat lst, st;
        if (lstat(path, &lst) != 0) {
            skip_note(b, path, strerror(errno));
        } else if (S_ISDIR(lst.st_mode)) {
            if (!b->c->recursive)
                skip_note(b, path, "a directory (-r descends into it)");
            else if (depth >= MAX_DEPTH)
                skip_note(b, path, "directories nested too deep");
            else
                scan_dir(b, path, depth + 1);
        } else if (S_ISLNK(lst.st_mode) && stat(path, &st) != 0) {
            skip_note(b, path, "a symbolic link to nothing");
        } else if (S_ISLNK(lst.st_mode) && S_ISDIR(st.st_mode)) {
            skip_note(b, path, "a symbolic link to a directory (not followed)");
        } else if (!S_ISREG(S_ISLNK(lst.st_mode) ? st.st_mode : lst.st_mode)) {
            bl_sb w = {0};
            bl_sb_addf(&w, "%sa %s, not a regular file", S_ISLNK(lst.st_mode) ? "a symbolic link to " : "",
                       bl_file_kind(S_ISLNK(lst.st_mode) ? st.st_mode : lst.st_mode));
            skip_note(b, path, bl_sb_str(&w));
            bl_sb_free(&w);
        } else if (bl_image_part_of(path, &first)) {
            bl_sb w = {0};
            bl_sb_addf(&w, "a later file of the split image %s (read with it)", bl_sb_str(&first));
            skip_note(b, path, bl_sb_str(&w));
            bl_sb_free(&w);
        } else if (looks_like_hive(path, &why) || bl_image_probe(path, &err) > 0) {
            add_hive(b, path, true); /* a disk image: the installation in it */
        } else {
            skip_note(b, path, why);
        }
        bl_sb_free(&first);
        bl_sb_free(&p);
        free(names[i]);
    }
    free(names);
}

/* ---- the child: analyze one hive, send the result ----
 * Records are "T LEN\n" followed by LEN bytes; T is S (status: counts and
 * exit contribution), O (the output line), R and F (summary keys), E (the
 * hive is unusable: why), K (skip it: why) or I (a file the hive's disk
 * image was read from: -o must not replace it either). */

static void send(int fd, char tag, const char *data, size_t n)
{
    char head[32];
    int h = snprintf(head, sizeof head, "%c %zu\n", tag, n);
    const char *parts[2] = {head, data};
    size_t lens[2] = {(size_t)h, n};
    for (int k = 0; k < 2; k++)
        for (size_t off = 0; off < lens[k];) {
            ssize_t w = write(fd, parts[k] + off, lens[k] - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                _exit(3);
            off += (size_t)w;
        }
}

static void send_str(int fd, char tag, const char *s)
{
    send(fd, tag, s, strlen(s));
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sends each distinct key of keys[0..n) once, freeing them. */
static void send_keys(int fd, char tag, char **keys, uint32_t n)
{
    if (n)
        qsort(keys, n, sizeof *keys, str_cmp);
    for (uint32_t i = 0; i < n; i++) {
        if (!i || strcmp(keys[i], keys[i - 1]) != 0)
            send_str(fd, tag, keys[i]);
    }
    for (uint32_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

/* The per-hive facts the fleet summary needs. */
static void send_summary_keys(int fd, const bl_session *s)
{
    const bl_findings *f = &s->findings;
    char **keys = bl_xcalloc(f->n ? f->n : 1, sizeof *keys);
    for (uint32_t i = 0; i < f->n; i++) {
        bl_sb k = {0};
        bl_sb_addf(&k, "%s|%s", f->v[i].rule, bl_severity_name(f->v[i].severity));
        keys[i] = bl_sb_detach(&k);
    }
    send_keys(fd, 'R', keys, f->n);
    const bl_model *m = s->model;
    const bl_timeline *t = s->timeline;
    uint32_t n = 0, cap = 0;
    keys = NULL;
    for (uint32_t d = 0; d < m->ndevices; d++) {
        uint32_t fsvc = t->devices[d].deferred_by;
        if (fsvc == BL_NONE)
            continue;
        bl_sb k = {0};
        bl_sb_addf(&k, "%s|%s|%s", bl_model_service_name(m, fsvc), bl_model_device_class_name(m, &m->devices[d]),
                   t->devices[d].phase == BL_PHASE_PNP ? "out of boot phase" : "later in boot phase");
        bl_grow((void **)&keys, sizeof *keys, &cap, n + 1);
        keys[n++] = bl_sb_detach(&k);
    }
    send_keys(fd, 'F', keys, n);
}

/* The line a hive gets in the output (without its newline). */
static char *result_line(const bl_cli *c, const char *path, const bl_session *s, const uint32_t counts[3])
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        bl_die("out of memory");
    if (c->format == BL_FMT_TEXT) {
        fprintf(mem, "%s: %u error%s, %u warning%s, %u info", path, counts[2], counts[2] == 1 ? "" : "s",
                counts[1], counts[1] == 1 ? "" : "s", counts[0]);
        for (uint32_t i = 0; i < s->findings.n && s->findings.v[i].severity == BL_SEV_ERROR; i++)
            fprintf(mem, "%s %s", i ? ";" : " —", s->findings.v[i].message);
    } else {
        bl_json_print(mem, bl_json_analysis(&s->analysis), true);
    }
    fclose(mem);
    /* One line per hive, whatever a message holds. */
    while (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n')
            buf[i] = ' ';
    return buf;
}

BL_NORETURN static void child_run(const batch *b, const hive_entry *e, int fd)
{
    const bl_cli *c = b->c;
    bl_session s;
    bl_error err = {{0}};
    if (bl_session_load(&s, c, e->path, true, b->knowledge, &err) != 0) {
        /* In a directory, another kind of hive (SOFTWARE, NTUSER.DAT...) is
         * a stray file like any other; named on the command line, it is a
         * mistake. */
        send_str(fd, e->from_dir && strstr(err.msg, "not a SYSTEM hive") ? 'K' : 'E', err.msg);
        _exit(0);
    }
    uint32_t counts[3];
    bl_findings_count(&s.findings, counts);
    char status[64];
    snprintf(status, sizeof status, "%u %u %u %d", counts[2], counts[1], counts[0], bl_exit_for(c, &s.findings));
    send_str(fd, 'S', status);
    /* The files an image was read from (segments, extents, a parent). */
    if (s.source.image) {
        const bl_image_info *ii = bl_image_get_info(s.source.image);
        for (uint32_t i = 0; i < ii->nfiles; i++)
            send_str(fd, 'I', ii->files[i].path);
    }
    char *line = result_line(c, e->path, &s, counts);
    send_str(fd, 'O', line);
    free(line);
    if (c->summary)
        send_summary_keys(fd, &s);
    _exit(0);
}

/* ---- the parent: run the children, enforce budgets, report ---- */

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

static void emit_error(batch *b, const char *path, const char *error, cJSON *budget)
{
    b->unusable++;
    b->worst = BL_EXIT_INPUT;
    if (b->c->format == BL_FMT_TEXT) {
        if (!b->c->summary)
            fprintf(b->out, "%s: unusable: %s\n", path, error);
        cJSON_Delete(budget);
        return;
    }
    /* What could not be read has no size or digest. */
    cJSON *in = cJSON_CreateArray();
    bl_json_add_input(in, "hive", path, path, -1, NULL);
    cJSON *o = bl_json_envelope("analyze", in);
    cJSON *h = cJSON_AddObjectToObject(o, "hive");
    cJSON_AddStringToObject(h, "path", path);
    cJSON_AddStringToObject(o, "error", error);
    if (budget)
        cJSON_AddItemToObject(o, "budget", budget);
    bl_json_print(b->out, o, true);
}

/* The next record of buf at *pos: its tag, data and length. */
static bool next_record(const bl_sb *buf, size_t *pos, char *tag, const char **data, size_t *n)
{
    if (*pos >= buf->len)
        return false;
    const char *p = buf->buf + *pos, *nl = memchr(p, '\n', buf->len - *pos);
    char *end;
    if (!nl || nl - p < 3)
        return false;
    unsigned long long len = strtoull(p + 2, &end, 10);
    if (end != nl || len > buf->len - (size_t)(nl + 1 - buf->buf))
        return false;
    *tag = p[0];
    *data = nl + 1;
    *n = (size_t)len;
    *pos = (size_t)(nl + 1 - buf->buf) + (size_t)len;
    return true;
}

static void finish(batch *b, job *j, int status)
{
    const bl_cli *c = b->c;
    const char *path = b->hives[j->index].path;
    if (j->exceeded) {
        bool time_out = strcmp(j->exceeded, "time") == 0;
        double used = time_out ? (bl_now_ms() - j->start_ms) / 1000.0 : (double)j->peak_kb / 1024.0;
        char msg[256];
        if (time_out)
            snprintf(msg, sizeof msg, "analysis stopped after %.1f s: over the %d s time budget (--hive-timeout)",
                     used, c->hive_timeout);
        else
            snprintf(msg, sizeof msg, "analysis stopped at %.1f MB resident: over the %d MB memory budget "
                                      "(--hive-memory)",
                     used, c->hive_memory);
        cJSON *budget = cJSON_CreateObject();
        cJSON_AddStringToObject(budget, "exceeded", j->exceeded);
        cJSON_AddNumberToObject(budget, "limit", time_out ? c->hive_timeout : c->hive_memory);
        cJSON_AddStringToObject(budget, "unit", time_out ? "s" : "MB");
        cJSON_AddNumberToObject(budget, "used", (double)(int64_t)(used * 100) / 100);
        b->over_budget++;
        emit_error(b, path, msg, budget);
        return;
    }
    size_t pos = 0, n;
    char tag;
    const char *data, *out = NULL;
    size_t out_len = 0;
    bool got_status = false;
    unsigned e = 0, w = 0, inf = 0;
    int rc = 0;
    while (next_record(&j->buf, &pos, &tag, &data, &n)) {
        char *s = bl_xstrndup(data, n);
        if (tag == 'E' || tag == 'K') {
            /* The hive layer's messages start with the path: said once. */
            size_t plen = strlen(path);
            if (tag == 'K') {
                skip_note(b, path, strncmp(s, path, plen) == 0 && s[plen] == ':' ? s + plen + 2 : s);
                b->skipped_hives++;
            }
            else
                emit_error(b, path, s, NULL);
            free(s);
            return;
        }
        if (tag == 'I')
            bl_inputs_add(b->inputs, s, "disk image file");
        else if (tag == 'S')
            got_status = sscanf(s, "%u %u %u %d", &e, &w, &inf, &rc) == 4;
        else if (tag == 'O')
            out = data, out_len = n;
        else if (tag == 'R' && c->summary)
            agg_add(&b->rules, &b->nrules, &b->caprules, s, path);
        else if (tag == 'F' && c->summary)
            agg_add(&b->filters, &b->nfilters, &b->capfilters, s, path);
        free(s);
    }
    if (!got_status || !out) {
        char msg[160];
        if (WIFSIGNALED(status))
            snprintf(msg, sizeof msg, "the analysis crashed (signal %d): please report this hive", WTERMSIG(status));
        else
            snprintf(msg, sizeof msg, "the analysis ended without a result (exit %d)",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        emit_error(b, path, msg, NULL);
        return;
    }
    if (rc > b->worst)
        b->worst = rc;
    if (e || w)
        b->with_findings++;
    else
        b->clean++;
    if (!c->summary || c->format != BL_FMT_TEXT) {
        fwrite(out, 1, out_len, b->out);
        fputc('\n', b->out);
    }
}

/* Resident memory of a running child, from /proc (0 when unknown). */
static uint64_t resident_kb(pid_t pid)
{
    char path[64], text[128];
    snprintf(path, sizeof path, "/proc/%ld/statm", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    unsigned long long size, resident;
    if (sscanf(text, "%llu %llu", &size, &resident) != 2)
        return 0;
    long page = sysconf(_SC_PAGESIZE);
    return resident * (uint64_t)(page > 0 ? page : 4096) / 1024;
}

static bool spawn(batch *b, job *j, uint32_t index)
{
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        child_run(b, &b->hives[index], fds[1]);
    }
    close(fds[1]);
    memset(j, 0, sizeof *j);
    j->pid = pid;
    j->fd = fds[0];
    j->index = index;
    j->start_ms = bl_now_ms();
    return true;
}

static void reap(batch *b, job *j)
{
    int status = 0;
    struct rusage ru;
    if (j->fd >= 0)
        close(j->fd);
    while (wait4(j->pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    if ((uint64_t)ru.ru_maxrss > j->peak_kb)
        j->peak_kb = (uint64_t)ru.ru_maxrss;
    /* A hive that went over its memory budget between two looks is over
     * it all the same: the verdict must not depend on timing. */
    if (!j->exceeded && b->c->hive_memory > 0 && j->peak_kb > (uint64_t)b->c->hive_memory * 1024)
        j->exceeded = "memory";
    finish(b, j, status);
    bl_sb_free(&j->buf);
    b->done++;
    fflush(b->out);
    if (b->progress)
        fprintf(stderr, "\r[%u/%u] %s\033[K", b->done, b->nhives, b->hives[j->index].path);
}

static void stop(job *j, const char *why)
{
    j->exceeded = why;
    kill(j->pid, SIGKILL);
}

static void run_all(batch *b, int jobs)
{
    const bl_cli *c = b->c;
    job *run = bl_xcalloc((size_t)jobs, sizeof *run);
    struct pollfd *pfd = bl_xcalloc((size_t)jobs, sizeof *pfd);
    int nrun = 0;
    uint32_t next = 0;
    while (next < b->nhives || nrun > 0) {
        while (nrun < jobs && next < b->nhives) {
            if (!spawn(b, &run[nrun], next)) {
                if (nrun)
                    break; /* try again once a child is done */
                emit_error(b, b->hives[next].path, "cannot start a worker process", NULL);
                b->done++;
                next++;
                continue;
            }
            next++;
            nrun++;
        }
        for (int i = 0; i < nrun; i++)
            pfd[i] = (struct pollfd){run[i].fd, POLLIN, 0};
        if (poll(pfd, (nfds_t)nrun, TICK_MS) < 0 && errno != EINTR)
            break;
        double now = bl_now_ms();
        for (int i = 0; i < nrun; i++) {
            job *j = &run[i];
            bool ended = false;
            if (pfd[i].revents) {
                char chunk[65536];
                ssize_t r = read(j->fd, chunk, sizeof chunk);
                if (r > 0)
                    bl_sb_addn(&j->buf, chunk, (size_t)r);
                else if (r == 0 || errno != EINTR)
                    ended = true;
            }
            if (!ended && !j->exceeded) {
                if (c->hive_timeout > 0 && now - j->start_ms > c->hive_timeout * 1000.0)
                    stop(j, "time");
                uint64_t kb = c->hive_memory > 0 ? resident_kb(j->pid) : 0;
                if (kb > j->peak_kb)
                    j->peak_kb = kb;
                if (c->hive_memory > 0 && kb > (uint64_t)c->hive_memory * 1024)
                    stop(j, "memory");
            }
            if (ended || j->exceeded) {
                reap(b, j);
                run[i] = run[--nrun];
                pfd[i] = pfd[nrun];
                i--;
            }
        }
    }
    free(run);
    free(pfd);
}

static int agg_cmp(const void *x, const void *y)
{
    const agg_entry *a = x, *b = y;
    if (a->hives != b->hives)
        return a->hives > b->hives ? -1 : 1;
    return strcmp(a->key, b->key);
}

/* Splits "a|b|c" in place into up to 3 parts. */
static void split_key(char *k, char **parts, int n)
{
    for (int i = 0; i < n; i++) {
        parts[i] = k;
        char *bar = k ? strchr(k, '|') : NULL;
        if (bar)
            *bar = '\0';
        k = bar ? bar + 1 : NULL;
        if (!parts[i])
            parts[i] = (char *)"";
    }
}

static void print_summary(batch *b)
{
    FILE *out = b->out;
    if (b->nrules)
        qsort(b->rules, b->nrules, sizeof *b->rules, agg_cmp);
    if (b->nfilters)
        qsort(b->filters, b->nfilters, sizeof *b->filters, agg_cmp);
    uint32_t hives = b->nhives - b->skipped_hives, usable = hives - b->unusable;
    if (b->c->format != BL_FMT_TEXT) {
        /* The fleet's inputs are those of the lines before it. */
        cJSON *o = bl_json_envelope("analyze", NULL);
        cJSON *sum = cJSON_AddObjectToObject(o, "summary");
        cJSON_AddNumberToObject(sum, "hives", hives);
        cJSON_AddNumberToObject(sum, "unusable", b->unusable);
        cJSON_AddNumberToObject(sum, "over_budget", b->over_budget);
        cJSON_AddNumberToObject(sum, "skipped", b->skipped);
        cJSON_AddNumberToObject(sum, "with_warnings_or_errors", b->with_findings);
        cJSON_AddNumberToObject(sum, "clean", b->clean);
        cJSON *r = cJSON_AddArrayToObject(sum, "rules");
        for (uint32_t i = 0; i < b->nrules; i++) {
            char *k = bl_xstrdup(b->rules[i].key), *p[2];
            split_key(k, p, 2);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "rule", p[0]);
            cJSON_AddStringToObject(e, "severity", p[1]);
            cJSON_AddNumberToObject(e, "hives", b->rules[i].hives);
            cJSON_AddStringToObject(e, "example", b->rules[i].example);
            cJSON_AddItemToArray(r, e);
            free(k);
        }
        cJSON *fl = cJSON_AddArrayToObject(sum, "delaying_filters");
        for (uint32_t i = 0; i < b->nfilters; i++) {
            char *k = bl_xstrdup(b->filters[i].key), *p[3];
            split_key(k, p, 3);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "filter", p[0]);
            cJSON_AddStringToObject(e, "class", p[1]);
            cJSON_AddStringToObject(e, "effect", p[2]);
            cJSON_AddNumberToObject(e, "hives", b->filters[i].hives);
            cJSON_AddStringToObject(e, "example", b->filters[i].example);
            cJSON_AddItemToArray(fl, e);
            free(k);
        }
        bl_json_print(out, o, true); /* a batch is JSON Lines, json or jsonl */
        return;
    }
    fprintf(out, "Fleet summary: %u hives (%u usable, %u unusable); %u with warnings or errors, %u clean.\n",
            hives, usable, b->unusable, b->with_findings, b->clean);
    if (b->nfilters) {
        fprintf(out, "\nFilters that delay devices:\n  %-6s %-24s %-20s %s\n", "HIVES", "FILTER", "CLASS", "EFFECT");
        for (uint32_t i = 0; i < b->nfilters; i++) {
            char *k = bl_xstrdup(b->filters[i].key), *p[3];
            split_key(k, p, 3);
            fprintf(out, "  %-6u %-24s %-20s %s (e.g. %s)\n", b->filters[i].hives, p[0], p[1], p[2],
                    b->filters[i].example);
            free(k);
        }
    }
    if (b->nrules) {
        fprintf(out, "\nRules:\n  %-6s %-8s %s\n", "HIVES", "SEVERITY", "RULE");
        for (uint32_t i = 0; i < b->nrules; i++) {
            char *k = bl_xstrdup(b->rules[i].key), *p[2];
            split_key(k, p, 2);
            fprintf(out, "  %-6u %-8s %s (e.g. %s)\n", b->rules[i].hives, p[1], p[0], b->rules[i].example);
            free(k);
        }
    }
}

static void batch_free(batch *b)
{
    for (uint32_t i = 0; i < b->nhives; i++)
        free(b->hives[i].path);
    free(b->hives);
    for (uint32_t i = 0; i < b->nrules; i++) {
        free(b->rules[i].key);
        free(b->rules[i].example);
    }
    free(b->rules);
    for (uint32_t i = 0; i < b->nfilters; i++) {
        free(b->filters[i].key);
        free(b->filters[i].example);
    }
    free(b->filters);
}

int bl_analyze_batch(const bl_cli *c)
{
    batch b;
    memset(&b, 0, sizeof b);
    b.c = c;
    for (int i = 0; i < c->nargs; i++) {
        struct stat st;
        if (stat(c->args[i], &st) == 0 && S_ISDIR(st.st_mode))
            scan_dir(&b, c->args[i], 0);
        else
            add_hive(&b, c->args[i], false);
    }
    if (b.skipped > MAX_NOTES_SHOWN)
        fprintf(stderr, "bootlens: ... and %u more entries skipped\n", b.skipped - MAX_NOTES_SHOWN);
    if (b.nhives == 0) {
        batch_free(&b);
        bl_sb what = {0};
        for (int i = 0; i < c->nargs; i++)
            bl_sb_addf(&what, "%s%s", i ? ", " : "", c->args[i]);
        bl_sb_add(&what, ": no registry hive to analyze");
        if (!c->recursive)
            bl_sb_add(&what, " (-r descends into subdirectories)");
        int rc = bl_input_error(bl_sb_str(&what));
        bl_sb_free(&what);
        return rc;
    }
    /* Every hive of the fleet (and the logs beside it) is an input. */
    bl_inputs in = {0};
    bl_cli_inputs(c, &in);
    for (uint32_t i = 0; i < b.nhives; i++)
        bl_cli_inputs_add_hive(&in, b.hives[i].path);
    bl_output dest;
    int rc = bl_cli_output_open(c, c->output ? c->output : "-", &in, &dest);
    if (rc) {
        bl_inputs_free(&in);
        batch_free(&b);
        return rc;
    }
    bl_error err = {{0}};
    bl_knowledge *k = bl_cli_knowledge(c, &err);
    if (!k) {
        bl_output_abort(&dest);
        bl_inputs_free(&in);
        batch_free(&b);
        return bl_input_error(err.msg);
    }
    b.knowledge = k;
    b.inputs = &in;
    b.out = dest.fp;
    b.progress = isatty(STDERR_FILENO) && b.nhives > 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = c->jobs ? c->jobs : (ncpu > 0 ? (int)ncpu : 1);
    if ((uint32_t)jobs > b.nhives)
        jobs = (int)b.nhives;
    run_all(&b, jobs);
    if (b.progress)
        fputs("\r\033[K", stderr);
    if (c->summary)
        print_summary(&b);
    int wrc = bl_cli_output_commit(&dest, &in);
    if (b.unusable) {
        uint32_t hives = b.nhives - b.skipped_hives;
        fprintf(stderr, "bootlens: %s%s: %u of %u hive%s could not be used", c->args[0], c->nargs > 1 ? "..." : "",
                b.unusable, hives, hives == 1 ? "" : "s");
        if (b.over_budget)
            fprintf(stderr, " (%u stopped over their time or memory budget)", b.over_budget);
        fputc('\n', stderr);
    }
    bl_inputs_free(&in);
    bl_knowledge_free(k);
    batch_free(&b);
    return wrc ? wrc : b.worst;
}
