/* cmd_explain.c — `bootlens explain HIVE NAME`: why a driver, service or
 * device loads or starts when it does, what delays it, what it delays. */
#include "cli.h"

#include <stdio.h>

/* The closest name so far to a mistyped one. */
typedef struct nearest {
    const char *typed, *best;
    unsigned distance; /* of best; bl_suggest_max + 1 while there is none */
} nearest;

static void consider(nearest *n, const char *name)
{
    unsigned d = bl_edit_distance(n->typed, name, n->distance - 1);
    if (d < n->distance) {
        n->distance = d;
        n->best = name;
    }
}

/* The service or device name closest to a mistyped one, or NULL. */
static const char *closest_name(const bl_model *m, const char *typed)
{
    nearest n = {typed, NULL, bl_suggest_max(typed) + 1};
    for (uint32_t i = 0; i < m->nservices && n.distance > 1; i++)
        consider(&n, bl_model_str(m, m->services[i].name));
    for (uint32_t i = 0; i < m->ndevices && n.distance > 1; i++)
        consider(&n, bl_model_str(m, m->devices[i].instance_id));
    return n.best;
}

int cmd_explain(int argc, char **argv)
{
    bl_cli c;
    bl_session s;
    bl_report_dest d;
    int rc;
    if (!bl_cli_open_hive_command(&c, &s, &d, CMD_EXPLAIN, "explain", argc, argv, 2,
                                  "expected HIVE and a service or device NAME", true, &rc))
        return rc;
    rc = bl_report_explain(d.out.fp, &s.analysis, c.args[1], c.format, c.verbose);
    if (rc < 0) {
        const char *near = closest_name(s.model, c.args[1]);
        fprintf(stderr, "bootlens: %s: no service or device instance named \"%s\"%s%s%s\n", c.args[0], c.args[1],
                near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
        return bl_cli_close_hive_command(&s, &d, BL_EXIT_INPUT);
    }
    return bl_cli_close_hive_command(&s, &d, BL_EXIT_OK);
}
