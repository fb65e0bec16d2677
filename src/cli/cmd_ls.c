/* cmd_ls.c — `bootlens ls IMAGE`: what a disk or volume image holds — the
 * container and its files (SHA-256), the volumes and their file systems
 * (and why one cannot be read), each Windows installation with its SYSTEM
 * hive, logs and RegBack copy, named as hive arguments take them. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void size_text(uint64_t n, char *buf, size_t size)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    size_t u = 0;
    while (v >= 1024 && u + 1 < BL_ARRAY_LEN(units)) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%llu bytes", (unsigned long long)n);
    else
        snprintf(buf, size, "%.1f %s", v, units[u]);
}

static cJSON *hive_file_json(const bl_image *img, uint32_t v, const bl_image_hive_file *f)
{
    if (!f->path)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    bl_sb origin = {0};
    bl_image_origin(img, v, f->path, &origin);
    cJSON_AddStringToObject(o, "origin", bl_sb_str(&origin));
    cJSON_AddStringToObject(o, "path", f->path);
    cJSON_AddNumberToObject(o, "size", (double)f->size);
    bl_sb_free(&origin);
    return o;
}

static void ls_json(FILE *out, const bl_image *img, bool hashed)
{
    const bl_image_info *ii = bl_image_get_info(img);
    /* The inputs are the files the image is made of (split raw, E01 segments). */
    cJSON *inputs = cJSON_CreateArray();
    for (uint32_t i = 0; i < ii->nfiles; i++)
        bl_json_add_input(inputs, "image", ii->files[i].path, ii->files[i].path, (int64_t)ii->files[i].size,
                          ii->files[i].hashed ? ii->files[i].sha256 : NULL);
    cJSON *root = bl_json_envelope("ls", inputs);
    cJSON *im = cJSON_AddObjectToObject(root, "image");
    cJSON_AddStringToObject(im, "path", ii->path);
    cJSON_AddStringToObject(im, "format", ii->format);
    cJSON_AddStringToObject(im, "detail", ii->detail);
    cJSON_AddNumberToObject(im, "media_size", (double)ii->media_size);
    cJSON_AddNumberToObject(im, "sector_size", ii->sector_size);
    cJSON_AddBoolToObject(im, "sha256_computed", hashed);
    cJSON *files = cJSON_AddArrayToObject(im, "files");
    for (uint32_t i = 0; i < ii->nfiles; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "path", ii->files[i].path);
        cJSON_AddNumberToObject(f, "size", (double)ii->files[i].size);
        if (ii->files[i].hashed) {
            char hex[BL_SHA256_HEX];
            bl_sha256_hex(ii->files[i].sha256, hex);
            cJSON_AddStringToObject(f, "sha256", hex);
        } else {
            cJSON_AddNullToObject(f, "sha256");
        }
        cJSON_AddItemToArray(files, f);
    }
    cJSON *vols = cJSON_AddArrayToObject(root, "volumes");
    for (uint32_t i = 0; i < ii->nvolumes; i++) {
        const bl_image_volume *v = &ii->volumes[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", v->name);
        cJSON_AddStringToObject(o, "scheme", v->scheme);
        cJSON_AddStringToObject(o, "type", v->type);
        cJSON_AddNumberToObject(o, "offset", (double)v->offset);
        cJSON_AddNumberToObject(o, "size", (double)v->size);
        cJSON_AddStringToObject(o, "file_system", v->fs);
        if (v->label)
            cJSON_AddStringToObject(o, "label", v->label);
        else
            cJSON_AddNullToObject(o, "label");
        if (v->problem)
            cJSON_AddStringToObject(o, "problem", v->problem);
        else
            cJSON_AddNullToObject(o, "problem");
        cJSON_AddItemToArray(vols, o);
    }
    cJSON *insts = cJSON_AddArrayToObject(root, "installations");
    for (uint32_t i = 0; i < ii->ninstallations; i++) {
        const bl_image_installation *in = &ii->installations[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "volume", ii->volumes[in->volume].name);
        cJSON_AddStringToObject(o, "windows_directory", in->windir);
        cJSON_AddItemToObject(o, "system", hive_file_json(img, in->volume, &in->system));
        cJSON *logs = cJSON_AddArrayToObject(o, "logs");
        for (int k = 0; k < BL_IMAGE_LOG_NAMES; k++)
            if (in->logs[k].path)
                cJSON_AddItemToArray(logs, hive_file_json(img, in->volume, &in->logs[k]));
        cJSON_AddItemToObject(o, "regback", hive_file_json(img, in->volume, &in->regback));
        cJSON_AddItemToArray(insts, o);
    }
    cJSON *notes = cJSON_AddArrayToObject(root, "notes");
    for (uint32_t i = 0; i < ii->nnotes; i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(ii->notes[i]));
    bl_json_print(out, root, false);
}

static void ls_text(FILE *out, const bl_image *img, bool hashed)
{
    const bl_image_info *ii = bl_image_get_info(img);
    char sz[32];
    size_text(ii->media_size, sz, sizeof sz);
    fprintf(out, "%s: %s%s%s%s, %s, %u-byte sectors\n", ii->path, ii->format, ii->detail[0] ? " (" : "",
            ii->detail, ii->detail[0] ? ")" : "", sz, ii->sector_size);
    for (uint32_t i = 0; i < ii->nfiles; i++) {
        char hex[BL_SHA256_HEX] = "not computed (--hash-image)";
        if (ii->files[i].hashed)
            bl_sha256_hex(ii->files[i].sha256, hex);
        else if (hashed)
            snprintf(hex, sizeof hex, "(unreadable)");
        fprintf(out, "  file %s  %llu bytes  sha256 %s\n", ii->files[i].path,
                (unsigned long long)ii->files[i].size, hex);
    }
    fprintf(out, "\nVolumes (%s):\n", ii->nvolumes ? ii->volumes[0].scheme : "none");
    for (uint32_t i = 0; i < ii->nvolumes; i++) {
        const bl_image_volume *v = &ii->volumes[i];
        size_text(v->size, sz, sizeof sz);
        fprintf(out, "  %-4s offset %-12llu %10s  %-22s %-9s", v->name[0] ? v->name : "-",
                (unsigned long long)v->offset, sz, v->type[0] ? v->type : "(whole image)", v->fs);
        if (v->label)
            fprintf(out, " \"%s\"", v->label);
        if (v->problem)
            fprintf(out, "  %s", v->problem);
        fputc('\n', out);
    }
    fprintf(out, "\nWindows installations: %s\n", ii->ninstallations ? "" : "none found");
    for (uint32_t i = 0; i < ii->ninstallations; i++) {
        const bl_image_installation *in = &ii->installations[i];
        const char *vn = ii->volumes[in->volume].name;
        fprintf(out, "  %s%s%s\n", vn, vn[0] ? ":" : "", in->windir);
        const struct {
            const char *what;
            const bl_image_hive_file *f;
        } rows[] = {{"SYSTEM", &in->system},    {"LOG", &in->logs[0]},     {"LOG1", &in->logs[1]},
                    {"LOG2", &in->logs[2]},      {"RegBack", &in->regback}};
        for (size_t k = 0; k < BL_ARRAY_LEN(rows); k++) {
            if (!rows[k].f->path) {
                if (k == 0)
                    fprintf(out, "    %-8s (missing)\n", rows[k].what);
                continue;
            }
            bl_sb o = {0};
            bl_image_origin(img, in->volume, rows[k].f->path, &o);
            fprintf(out, "    %-8s %s  (%llu bytes%s)\n", rows[k].what, bl_sb_str(&o),
                    (unsigned long long)rows[k].f->size, rows[k].f->size ? "" : ", empty");
            bl_sb_free(&o);
        }
    }
    for (uint32_t i = 0; i < ii->nnotes; i++)
        fprintf(out, "%s%s\n", i ? "  " : "\nNotes:\n  ", ii->notes[i]);
}

int cmd_ls(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_LS, "ls", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs != 1)
        return bl_usage_error(c.cmd_name, "expected one IMAGE");
    if (c.format != BL_FMT_TEXT && c.format != BL_FMT_JSON)
        return bl_usage_error(c.cmd_name, "--format must be text or json");
    /* The output is checked before anything is read. */
    bl_inputs in;
    bl_output dest;
    if ((rc = bl_cli_report_open(&c, &in, &dest)) != 0)
        return rc;
    char *path;
    const char *spec;
    bl_source_split(c.args[0], &path, &spec);
    bl_image *img;
    bl_error err = {{0}};
    int probe = bl_image_probe(path, &err);
    if (probe == 0)
        bl_error_set(&err, "%s: not a disk or volume image (a hive file? see bootlens analyze)", path);
    if (probe <= 0 || bl_source_open_image(&c, path, &img, &err) != 0) {
        free(path);
        bl_output_abort(&dest);
        bl_inputs_free(&in);
        return bl_input_error(err.msg);
    }
    free(path);
    bl_image_hash_wait(img);
    bl_source src = {.image = img};
    bl_cli_inputs_add_source(&in, &src);
    if (c.format == BL_FMT_JSON)
        ls_json(dest.fp, img, c.hash_image);
    else
        ls_text(dest.fp, img, c.hash_image);
    rc = bl_cli_output_commit(&dest, &in);
    bl_inputs_free(&in);
    bl_image_close(img);
    return rc ? rc : BL_EXIT_OK;
}
