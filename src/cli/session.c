/* session.c — the step every hive-reading command shares: open the hive
 * (replaying logs unless --no-recovery), build the model of the chosen
 * control set, simulate, and optionally run the rules. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bl_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int bl_session_load(bl_session *s, const bl_cli *c, const char *path, bool rules,
                    const bl_knowledge *shared, bl_error *err)
{
    memset(s, 0, sizeof *s);
    bl_hive_options ho = {0};
    ho.no_recovery = c->no_recovery;
    ho.libregf_reader = c->libregf_reader;
    if (c->nlogs) {
        ho.logs = c->logs;
        ho.nlogs = c->nlogs;
    }
    /* Digests cost ~0.7 ms per MB: only for the outputs that list them
     * (SARIF records the hive's too). */
    ho.hash_inputs = c->format == BL_FMT_JSON || c->format == BL_FMT_JSONL || c->format == BL_FMT_SARIF;
    double t0 = bl_now_ms();
    if (bl_source_open_hive(c, path, &ho, &s->hive, &s->source, err) != 0)
        return -1;
    if (s->source.image)
        s->analysis.image = &s->source.evidence;
    double t1 = bl_now_ms();
    s->times.open = t1 - t0;
    s->model = bl_model_new(NULL);
    bl_load_options lo = {c->control_set};
    if (bl_model_load(s->model, s->hive, &lo, err) != 0) {
        /* Zeros stood in for what the image could not give: say so. */
        if (s->source.unreadable) {
            size_t n = strlen(err->msg);
            snprintf(err->msg + n, sizeof err->msg - n, " (%s)", s->source.unreadable);
        }
        bl_session_close(s);
        return -1;
    }
    if (c->windows)
        bl_model_set_windows(s->model, c->windows);
    s->sim.has_boot_flags = c->has_boot_flags;
    s->sim.boot_flags = c->boot_flags;
    s->sim.boot_fs = c->boot_fs;
    double t2 = bl_now_ms();
    s->times.model = t2 - t1;
    s->timeline = bl_simulate(s->model, &s->sim);
    double t3 = bl_now_ms();
    s->times.sim = t3 - t2;
    s->analysis.hive = bl_hive_get_info(s->hive);
    s->analysis.model = s->model;
    s->analysis.timeline = s->timeline;
    s->analysis.findings = &s->findings;
    if (rules) {
        const bl_knowledge *k = shared;
        if (!k) {
            s->knowledge = bl_cli_knowledge(c, err);
            if (!s->knowledge) {
                bl_session_close(s);
                return -1;
            }
            k = s->knowledge;
        }
        bl_digests_add_knowledge(&s->digests, c);
        s->analysis.files = s->digests.v;
        s->analysis.nfiles = s->digests.n;
        bl_rules_options ro = {k, s->analysis.hive, &s->sim, c->no_fixes, NULL, 0, 0};
        bl_rules_run(s->model, s->timeline, &ro, &s->findings);
        s->times.rules = bl_now_ms() - t3;
    }
    /* The image was hashed meanwhile, on a thread of its own. */
    if (s->source.image)
        bl_image_hash_wait(s->source.image);
    return 0;
}

void bl_session_print_origin(FILE *out, const bl_session *s)
{
    if (!s->analysis.image)
        return;
    fprintf(out, "bootlens: %s\n", bl_hive_get_info(s->hive)->path);
    bl_report_evidence_text(out, &s->analysis);
    fputc('\n', out);
}

int bl_session_open(bl_session *s, const bl_cli *c, const char *path, bool rules)
{
    bl_error err = {{0}};
    if (bl_session_load(s, c, path, rules, NULL, &err) != 0)
        return bl_input_error(err.msg);
    return 0;
}

bool bl_cli_open_hive_command(bl_cli *c, bl_session *s, bl_report_dest *d, int cmd, const char *name,
                              int argc, char **argv, int nargs, const char *expected, bool rules, int *status)
{
    int rc = bl_cli_parse(c, cmd, name, argc, argv);
    if (rc) {
        *status = rc < 0 ? BL_EXIT_OK : rc;
        return false;
    }
    if (c->nargs != nargs) {
        *status = bl_usage_error(c->cmd_name, expected);
        return false;
    }
    if (rules)
        c->no_fixes = true;
    /* The output is checked before anything is read. */
    if ((*status = bl_cli_report_open(c, &d->in, &d->out)) != 0)
        return false;
    if ((*status = bl_session_open(s, c, c->args[0], rules)) != 0) {
        bl_output_abort(&d->out);
        bl_inputs_free(&d->in);
        return false;
    }
    bl_cli_inputs_add_source(&d->in, &s->source);
    if (c->format == BL_FMT_TEXT)
        bl_session_print_origin(d->out.fp, s);
    return true;
}

int bl_cli_close_hive_command(bl_session *s, bl_report_dest *d, int status)
{
    int wrc = 0;
    if (status == BL_EXIT_INPUT)
        bl_output_abort(&d->out);
    else
        wrc = bl_cli_output_commit(&d->out, &d->in);
    bl_inputs_free(&d->in);
    bl_session_close(s);
    return wrc ? wrc : status;
}

bl_knowledge *bl_cli_knowledge(const bl_cli *c, bl_error *err)
{
    bl_knowledge *k = bl_knowledge_new();
    if (bl_knowledge_add_builtin(k, err) != 0) {
        bl_knowledge_free(k);
        return NULL;
    }
    for (int i = 0; i < c->nknowledge; i++)
        if (bl_knowledge_add_file(k, c->knowledge[i], err) != 0) {
            bl_knowledge_free(k);
            return NULL;
        }
    return k;
}

bool bl_cli_json(const bl_cli *c)
{
    return c->format == BL_FMT_JSON || c->format == BL_FMT_JSONL;
}

void bl_digests_add(bl_digests *d, const char *role, const char *path)
{
    bl_grow((void **)&d->v, sizeof *d->v, &d->cap, d->n + 1);
    bl_file_digest_compute(&d->v[d->n++], role, path);
}

void bl_digests_add_knowledge(bl_digests *d, const bl_cli *c)
{
    if (!bl_cli_json(c))
        return;
    for (int i = 0; i < c->nknowledge; i++)
        bl_digests_add(d, "knowledge", c->knowledge[i]);
}

void bl_digests_free(bl_digests *d)
{
    free(d->v);
    memset(d, 0, sizeof *d);
}

void bl_session_close(bl_session *s)
{
    bl_digests_free(&s->digests);
    bl_findings_free(&s->findings);
    bl_timeline_free(s->timeline);
    bl_model_free(s->model);
    bl_knowledge_free(s->knowledge);
    bl_hive_close(s->hive);
    bl_source_close(&s->source);
    memset(s, 0, sizeof *s);
}
