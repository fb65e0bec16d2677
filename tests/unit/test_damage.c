/* test_damage.c — damaged SYSTEM hives: a corrupt cell costs only its
 * subtree, which is reported by path and reason; the rest is analyzed; a
 * hive with nothing useful left is refused.  Both readers (the direct cell
 * reader and libregf) are held to this.  Lies are damage too: a key listed
 * under a parent it does not record, bins that end long before the base
 * block says, logs beside the hive that are no logs.  The damage is made here, on a copy
 * of a generated test hive, at cells found by their key names. */
#include "bootlens/hive.h"
#include "bootlens/model.h"
#include "bootlens/rules.h"
#include "bootlens/sim.h"

#include "testutil.h"

#define HIVE "build/test_hives/vmci-filter-delay.hiv"

static uint8_t *image;
static size_t image_size;

static int setup(void **state)
{
    (void)state;
    bl_error err = {{0}};
    if (bl_read_file(HIVE, 1u << 30, &image, &image_size, &err) != 0) {
        fprintf(stderr, "test_damage: %s (run tests/gen-hives.sh first)\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(image);
    return 0;
}

/* Offset in the image of the nk cell data of the key named `name`
 * (compressed ASCII name), or 0. */
static size_t find_nk(const uint8_t *img, size_t size, const char *name)
{
    size_t n = strlen(name);
    for (size_t off = 4096 + 4; off + 0x4C + n <= size; off += 8) {
        const uint8_t *p = img + off;
        if (p[0] == 'n' && p[1] == 'k' && (p[2] & 0x20) && (size_t)(p[0x48] | (p[0x49] << 8)) == n &&
            memcmp(p + 0x4C, name, n) == 0)
            return off;
    }
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

typedef struct outcome {
    int load_rc;
    uint32_t nservices, nproblems;
    bool has_vmci, has_vsock, has_pci;
    char first_problem_path[256];
    char first_problem[256];
    char error[512];
} outcome;

static outcome analyze(const uint8_t *img, size_t size, bool libregf_reader)
{
    outcome o;
    memset(&o, 0, sizeof o);
    bl_hive *h = NULL;
    bl_error err = {{0}};
    char label[] = "damaged.hiv";
    bl_hive_options opt = {0};
    opt.libregf_reader = libregf_reader;
    /* Write the image to a file so the normal open path (and options) apply. */
    char path[256];
    snprintf(path, sizeof path, "/tmp/bootlens-damage-%d.hiv", (int)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, size, f), size);
    fclose(f);
    (void)label;
    opt.no_recovery = true;
    if (bl_hive_open(path, &opt, &h, &err) != 0) {
        o.load_rc = -2;
        snprintf(o.error, sizeof o.error, "%s", err.msg);
        unlink(path);
        return o;
    }
    bl_model *m = bl_model_new(NULL);
    o.load_rc = bl_model_load(m, h, NULL, &err);
    snprintf(o.error, sizeof o.error, "%s", err.msg);
    o.nservices = m->nservices;
    o.has_vmci = bl_model_find_service(m, "vmci") != BL_NONE;
    o.has_vsock = bl_model_find_service(m, "vsock") != BL_NONE;
    o.has_pci = bl_model_find_service(m, "pci") != BL_NONE;
    const bl_hive_info *hi = bl_hive_get_info(h);
    o.nproblems = hi->nproblems;
    if (hi->nproblems) {
        snprintf(o.first_problem_path, sizeof o.first_problem_path, "%s", hi->problems[0].path);
        snprintf(o.first_problem, sizeof o.first_problem, "%s", hi->problems[0].reason);
    }
    if (o.load_rc == 0) {
        /* The rest of the pipeline runs on a partial model, and the damage is
         * a finding. */
        bl_timeline *t = bl_simulate(m, NULL);
        bl_knowledge *k = bl_knowledge_new();
        assert_int_equal(bl_knowledge_add_builtin(k, &err), 0);
        bl_rules_options ro = {k, hi, NULL, true, NULL, 0, 0};
        bl_findings fs = {0};
        bl_rules_run(m, t, &ro, &fs);
        bool damaged = false;
        for (uint32_t i = 0; i < fs.n; i++)
            damaged |= strcmp(fs.v[i].rule, "hive-damaged") == 0;
        /* The rule covers every problem: unreadable keys and damage to
         * the file as a whole (path ""). */
        assert_true(damaged == (hi->nproblems > 0));
        bl_findings_free(&fs);
        bl_knowledge_free(k);
        bl_timeline_free(t);
    }
    bl_model_free(m);
    bl_hive_close(h);
    unlink(path);
    return o;
}

static void test_intact(void **state)
{
    (void)state;
    for (int r = 0; r < 2; r++) {
        outcome o = analyze(image, image_size, r);
        assert_int_equal(o.load_rc, 0);
        assert_int_equal(o.nproblems, 0);
        assert_true(o.has_vmci && o.has_vsock && o.has_pci);
    }
}

/* vmci's value list offset points outside the hive: vmci's values are lost,
 * vmci and everything else still load.  The direct reader says exactly what
 * was lost; libregf (the --reader libregf reference) silently returns no
 * values for such a key, which is why the direct reader is the default for
 * damaged evidence. */
static void test_bad_value_list(void **state)
{
    (void)state;
    uint8_t *img = bl_xmalloc(image_size);
    memcpy(img, image, image_size);
    size_t nk = find_nk(img, image_size, "vmci");
    assert_true(nk != 0);
    put32(img + nk + 0x28, 0x7FFFFFF0u);
    outcome o = analyze(img, image_size, false);
    assert_int_equal(o.load_rc, 0);
    assert_true(o.has_vmci && o.has_vsock && o.has_pci);
    assert_int_equal(o.nproblems, 1); /* one problem for the list, not one per value */
    assert_non_null(strstr(o.first_problem_path, "vmci"));
    assert_non_null(strstr(o.first_problem, "value list"));
    o = analyze(img, image_size, true);
    assert_int_equal(o.load_rc, 0);
    assert_true(o.has_vmci && o.has_vsock && o.has_pci);
    free(img);
}

/* The Enum key's subkey list is garbage: no device, services intact, and
 * the problem names Enum. */
static void test_bad_subkey_list(void **state)
{
    (void)state;
    uint8_t *img = bl_xmalloc(image_size);
    memcpy(img, image, image_size);
    size_t nk = find_nk(img, image_size, "Enum");
    assert_true(nk != 0);
    put32(img + nk + 0x1C, 0x13u); /* misaligned: not a cell */
    for (int r = 0; r < 2; r++) {
        outcome o = analyze(img, image_size, r);
        assert_int_equal(o.load_rc, 0);
        assert_true(o.has_vmci && o.has_pci);
        assert_true(o.nproblems >= 1);
        assert_non_null(strstr(o.first_problem_path, "Enum"));
    }
    free(img);
}

/* One service key node destroyed (its signature): that service is skipped,
 * the others load. */
static void test_bad_service_node(void **state)
{
    (void)state;
    uint8_t *img = bl_xmalloc(image_size);
    memcpy(img, image, image_size);
    size_t nk = find_nk(img, image_size, "vsock");
    assert_true(nk != 0);
    img[nk] = 'X';
    img[nk + 1] = 'X';
    outcome o = analyze(img, image_size, false);
    assert_int_equal(o.load_rc, 0);
    assert_false(o.has_vsock);
    assert_true(o.has_vmci && o.has_pci);
    assert_true(o.nproblems >= 1);
    assert_non_null(strstr(o.first_problem_path, "ervices")); /* "services" of the parent */
    free(img);
}

/* Damage is not evidence: RpcSs's key node destroyed.  CryptSvc's
 * dependency on it now looks missing, next to App's really missing Ghost
 * and a really missing disk class filter: none of them is an error, and no
 * fix drops a reference; the damage itself is reported. */
static void test_damage_is_not_evidence(void **state)
{
    (void)state;
    bl_error err = {{0}};
    uint8_t *img;
    size_t size;
    if (bl_read_file("build/test_hives/damage-base.hiv", 1u << 30, &img, &size, &err) != 0)
        fail_msg("%s", err.msg);
    size_t nk = find_nk(img, size, "RpcSs");
    assert_true(nk != 0);
    img[nk] = 'X';
    img[nk + 1] = 'X';
    char path[256];
    snprintf(path, sizeof path, "/tmp/bootlens-damage2-%d.hiv", (int)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, size, f), size);
    fclose(f);
    free(img);
    bl_hive *h = NULL;
    bl_hive_options opt = {0};
    opt.no_recovery = true;
    assert_int_equal(bl_hive_open(path, &opt, &h, &err), 0);
    bl_model *m = bl_model_new(NULL);
    assert_int_equal(bl_model_load(m, h, NULL, &err), 0);
    assert_true(m->damage.services > 0);
    assert_int_equal(bl_model_find_service(m, "RpcSs"), BL_NONE);
    bl_timeline *t = bl_simulate(m, NULL);
    bl_knowledge *k = bl_knowledge_new();
    assert_int_equal(bl_knowledge_add_builtin(k, &err), 0);
    bl_rules_options ro = {k, bl_hive_get_info(h), NULL, false, NULL, 0, 0};
    bl_findings fs = {0};
    bl_rules_run(m, t, &ro, &fs);
    bool damaged = false, crypt = false, app = false, ghostflt = false;
    for (uint32_t i = 0; i < fs.n; i++) {
        const bl_finding *x = &fs.v[i];
        damaged |= strcmp(x->rule, "hive-damaged") == 0;
        bool absence = strcmp(x->rule, "missing-dependency") == 0 || strcmp(x->rule, "missing-filter-service") == 0 ||
                       strcmp(x->rule, "device-driver-missing") == 0;
        if (!absence)
            continue;
        if (x->severity == BL_SEV_ERROR)
            fail_msg("%s is an error on a damaged hive: %s", x->subject, x->message);
        for (uint32_t k2 = 0; k2 < x->nfixes; k2++)
            if (strstr(x->fixes[k2].summary, "Remove"))
                fail_msg("%s proposes \"%s\" on a damaged hive", x->subject, x->fixes[k2].summary);
        assert_non_null(strstr(x->message, "unreadable"));
        crypt |= strcmp(x->subject, "missing-dependency:CryptSvc") == 0;
        app |= strcmp(x->subject, "missing-dependency:App") == 0;
        ghostflt |= strstr(x->subject, "ghostflt") != NULL;
    }
    assert_true(damaged && crypt && app && ghostflt);
    bl_findings_free(&fs);
    bl_knowledge_free(k);
    bl_timeline_free(t);
    bl_model_free(m);
    bl_hive_close(h);
    unlink(path);
}

/* The Services key itself unreadable and the control set's subkeys gone:
 * nothing useful is left, so the hive is refused with a reason. */
static void test_nothing_left(void **state)
{
    (void)state;
    uint8_t *img = bl_xmalloc(image_size);
    memcpy(img, image, image_size);
    size_t nk = find_nk(img, image_size, "ControlSet001");
    assert_true(nk != 0);
    put32(img + nk + 0x1C, 0x7FFFFFF8u);
    for (int r = 0; r < 2; r++) {
        outcome o = analyze(img, image_size, r);
        assert_int_equal(o.load_rc, -1);
        assert_non_null(strstr(o.error, "damaged.hiv") ? o.error : strstr(o.error, "bootlens-damage"));
        assert_non_null(strstr(o.error, "nothing"));
    }
    free(img);
}

/* vsock's key records another key as its parent: it is listed under
 * Services but belongs elsewhere (a cross-linked list, the way a hostile
 * hive makes one key count many times).  The cell reader skips it, says so,
 * and the rest loads. */
static void test_cross_linked_subkey(void **state)
{
    (void)state;
    uint8_t *img = bl_xmalloc(image_size);
    memcpy(img, image, image_size);
    size_t vsock = find_nk(img, image_size, "vsock"), vmci = find_nk(img, image_size, "vmci");
    assert_true(vsock && vmci);
    put32(img + vsock + 0x10, (uint32_t)(vmci - 4096 - 4));
    outcome o = analyze(img, image_size, false);
    assert_int_equal(o.load_rc, 0);
    assert_false(o.has_vsock);
    assert_true(o.has_vmci && o.has_pci);
    assert_int_equal(o.nproblems, 1);
    assert_non_null(strstr(o.first_problem, "belongs to another key"));
    free(img);
}

/* The base block announces far more hive bins than the chain of bins holds
 * (a sparse file of zeros behind the real bins): the real ones are analyzed,
 * the rest is one problem, never read. */
static void test_bins_end_early(void **state)
{
    (void)state;
    size_t extra = 1u << 20, n = image_size + extra;
    uint8_t *img = bl_xcalloc(1, n);
    memcpy(img, image, image_size);
    uint32_t bins = (uint32_t)(n - 4096);
    put32(img + 40, bins);
    put32(img + 508, bl_base_block_checksum(img));
    for (int r = 0; r < 2; r++) {
        outcome o = analyze(img, n, r);
        assert_int_equal(o.load_rc, 0);
        assert_true(o.has_vmci && o.has_vsock && o.has_pci);
        assert_int_equal(o.nproblems, 1);
        assert_string_equal(o.first_problem_path, "");
        assert_non_null(strstr(o.first_problem, "hive bins end at file offset"));
        assert_non_null(strstr(o.first_problem, "not read"));
    }
    free(img);
}

/* Logs beside a hive that are no logs: a FIFO (which must not block the
 * open) and a link to the hive itself.  Both are ignored, each with a note
 * saying why; named with --log, the same files are refused. */
static void test_logs_that_are_not_logs(void **state)
{
    (void)state;
    char dir[] = "/tmp/bootlens-logs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char hive[300], fifo[300], self[300];
    snprintf(hive, sizeof hive, "%s/SYSTEM", dir);
    snprintf(fifo, sizeof fifo, "%s/SYSTEM.LOG1", dir);
    snprintf(self, sizeof self, "%s/SYSTEM.LOG2", dir);
    FILE *f = fopen(hive, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(image, 1, image_size, f), image_size);
    fclose(f);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(symlink("SYSTEM", self), 0);
    bl_hive *h = NULL;
    bl_error err = {{0}};
    assert_int_equal(bl_hive_open(hive, NULL, &h, &err), 0);
    const bl_hive_info *hi = bl_hive_get_info(h);
    bool fifo_noted = false, self_noted = false;
    for (uint32_t i = 0; i < hi->recovery.nnotes; i++) {
        fifo_noted |= strstr(hi->recovery.notes[i], "SYSTEM.LOG1: is a FIFO") != NULL;
        self_noted |= strstr(hi->recovery.notes[i], "SYSTEM.LOG2: is the hive") != NULL;
    }
    assert_true(fifo_noted && self_noted);
    bl_hive_close(h);
    const char *named[] = {fifo, self};
    for (size_t i = 0; i < 2; i++) {
        bl_hive_options opt = {0};
        opt.logs = &named[i];
        opt.nlogs = 1;
        assert_int_equal(bl_hive_open(hive, &opt, &h, &err), -1);
        assert_non_null(strstr(err.msg, named[i]));
    }
    unlink(self);
    unlink(fifo);
    unlink(hive);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact),
        cmocka_unit_test(test_bad_value_list),
        cmocka_unit_test(test_bad_subkey_list),
        cmocka_unit_test(test_bad_service_node),
        cmocka_unit_test(test_damage_is_not_evidence),
        cmocka_unit_test(test_nothing_left),
        cmocka_unit_test(test_cross_linked_subkey),
        cmocka_unit_test(test_bins_end_early),
        cmocka_unit_test(test_logs_that_are_not_logs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
