/* output.c — where a command's output files go.  Every file a command line
 * reads is an input (the hives and the transaction logs found beside them,
 * --log files, --knowledge files, the --baseline and its logs, the INFs);
 * every file it writes (-o, and any other FILE option) goes through
 * bl_cli_output_open, which refuses to replace any of them (util/files.c has
 * the rules), writes beside the target and renames only when complete. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* A hive argument and the logs the hive layer would find beside it; for an
 * image (IMAGE#SPEC, or a split image named by its first file), the image
 * file and the later files beside it (E02…, .002…, VMDK extents); the
 * files an open image really read are added by bl_cli_inputs_add_source. */
static void add_image_parts(bl_inputs *in, const char *first)
{
    char **parts;
    size_t n = bl_image_parts(first, &parts);
    for (size_t i = 0; i < n; i++) {
        bl_inputs_add(in, parts[i], "disk image segment");
        free(parts[i]);
    }
    free(parts);
}

static void add_hive(bl_inputs *in, const char *arg, const char *role)
{
    char *path;
    const char *spec;
    if (bl_source_split(arg, &path, &spec) == 1) {
        bl_inputs_add(in, path, "disk image");
        add_image_parts(in, path);
        free(path);
        return;
    }
    free(path);
    bl_inputs_add(in, arg, role);
    add_image_parts(in, arg); /* a split image named by its first file */
    char *logs[BL_MAX_LOGS];
    size_t n = bl_find_logs(arg, logs, BL_MAX_LOGS);
    for (size_t i = 0; i < n; i++) {
        bl_inputs_add(in, logs[i], "transaction log");
        free(logs[i]);
    }
}

void bl_cli_inputs(const bl_cli *c, bl_inputs *in)
{
    /* explain's second argument is a service or device name, not a file. */
    int nfiles = c->cmd == CMD_EXPLAIN && c->nargs > 1 ? 1 : c->nargs;
    for (int i = 0; i < nfiles; i++) {
        if (c->cmd == CMD_LINT)
            bl_inputs_add(in, c->args[i], "INF");
        else
            add_hive(in, c->args[i], "hive");
    }
    for (size_t i = 0; i < c->nlogs; i++)
        bl_inputs_add(in, c->logs[i], "transaction log");
    for (int i = 0; i < c->nknowledge; i++)
        bl_inputs_add(in, c->knowledge[i], "knowledge file");
    if (c->baseline)
        add_hive(in, c->baseline, "baseline");
}

void bl_cli_inputs_add_hive(bl_inputs *in, const char *path)
{
    add_hive(in, path, "hive");
}

void bl_cli_inputs_add_source(bl_inputs *in, const bl_source *src)
{
    if (!src->image)
        return;
    const bl_image_info *ii = bl_image_get_info(src->image);
    for (uint32_t i = 0; i < ii->nfiles; i++)
        bl_inputs_add(in, ii->files[i].path, "disk image file");
}

int bl_cli_output_open(const bl_cli *c, const char *path, const bl_inputs *in, bl_output *o)
{
    bl_error err = {{0}};
    if (bl_output_open(o, path, c->force, in, &err) != 0)
        return bl_input_error(err.msg);
    return 0;
}

int bl_cli_report_open(const bl_cli *c, bl_inputs *in, bl_output *o)
{
    memset(in, 0, sizeof *in);
    bl_cli_inputs(c, in);
    int rc = bl_cli_output_open(c, c->output ? c->output : "-", in, o);
    if (rc)
        bl_inputs_free(in);
    return rc;
}

int bl_cli_output_commit(bl_output *o, const bl_inputs *in)
{
    bl_error err = {{0}};
    if (bl_output_commit(o, in, &err) != 0)
        return bl_input_error(err.msg);
    return 0;
}
