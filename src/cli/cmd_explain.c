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
    int rc = bl_cli_parse(&c, CMD_EXPLAIN, "explain", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs != 2) 
        return bl_usage_error(c.cmd_name, "expected HIVE and a service or device NAME");
    bl_session s;
    c.no_fixes = true; /* explain lists findings; fixes are analyze's job */
    if ((rc = bl_session_open(&s, &c, c.args[0], true)) != 0)
        return rc;
    if (c.format == BL_FMT_TEXT)
        bl_session_print_origin(stdout, &s);
    rc = bl_report_explain(stdout, &s.analysis, c.args[1], c.format, c.verbose);
    if (rc < 0) {
        const char *near = closest_name(s.model, c.args[1]);
        fprintf(stderr, "bootlens: %s: no service or device instance named \"%s\"%s%s%s\n", c.args[0], c.args[1],
                near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
        bl_session_close(&s);
        return BL_EXIT_INPUT;
    }
    bl_session_close(&s);
    return BL_EXIT_OK;
}
