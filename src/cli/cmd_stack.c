/* cmd_stack.c — `bootlens stack HIVE`: device stacks with each driver's
 * start slot and where each entry comes from (class or device). */
#include "cli.h"

int cmd_stack(int argc, char **argv)
{
    bl_cli c;
    bl_session s;
    bl_report_dest d;
    int rc;
    if (!bl_cli_open_hive_command(&c, &s, &d, CMD_STACK, "stack", argc, argv, 1, "expected one HIVE", false,
                                  &rc))
        return rc;
    bl_stack_query q = {c.class_filter, c.device_filter, c.all, c.verbose};
    uint32_t shown = bl_report_stack(d.out.fp, &s.analysis, &q, c.format);
    /* Asking for a class or device that is not there is a usage problem. */
    if (!shown && (c.class_filter || c.device_filter)) {
        fprintf(stderr, "bootlens: stack: no device matches %s%s\n", c.class_filter ? "--class " : "--device ",
                c.class_filter ? c.class_filter : c.device_filter);
        return bl_cli_close_hive_command(&s, &d, BL_EXIT_INPUT);
    }
    return bl_cli_close_hive_command(&s, &d, BL_EXIT_OK);
}
