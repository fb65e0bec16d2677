/* cmd_explain.c — `bootlens explain HIVE NAME`: why a driver, service or
 * device loads or starts when it does, what delays it, what it delays. */
#include "cli.h"

#include <stdio.h>

int cmd_explain(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_EXPLAIN, "explain", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs != 2) 
        return bl_usage_error(c.cmd_name, "expected HIVE and a service or device NAME");
    if (c.format != BL_FMT_TEXT && c.format != BL_FMT_JSON && c.format != BL_FMT_DOT)
        return bl_input_error("explain: --format must be text, json or dot");
    bl_session s;
    c.no_fixes = true; /* explain lists findings; fixes are analyze's job */
    if ((rc = bl_session_open(&s, &c, c.args[0], true)) != 0)
        return rc;
    if (c.format == BL_FMT_TEXT)
        bl_session_print_origin(stdout, &s);
    rc = bl_report_explain(stdout, &s.analysis, c.args[1], c.format);
    bl_session_close(&s);
    if (rc < 0) {
        fprintf(stderr, "bootlens: %s: no service or device instance named \"%s\"\n", c.args[0], c.args[1]);
        return BL_EXIT_INPUT;
    }
    return BL_EXIT_OK;
}
