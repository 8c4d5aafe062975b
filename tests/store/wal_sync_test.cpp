// Power-loss durability: every append_message fsyncs the write-ahead log before it returns.
//
// A SIGKILL test cannot show this (the kernel keeps unsynced writes of a dead process), so this
// test counts the syncs SQLite issues on the WAL file through a VFS shim wrapped around the
// default one. With synchronous=NORMAL the WAL is synced only at checkpoints and it fails.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>

#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

// SQLite calls VFS methods through plain function pointers, so the shim's state is file-scope.
sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs counting_vfs;
const sqlite3_io_methods* real_wal_methods = nullptr;
sqlite3_io_methods counting_wal_methods;
std::atomic<int> wal_syncs = 0;

int count_wal_sync(sqlite3_file* file, int flags) {
  ++wal_syncs;
  return real_wal_methods->xSync(file, flags);
}

// Opens through the real VFS, then swaps a WAL file's method table for a copy whose xSync
// counts. The file object itself is the real one, so every other method works unchanged.
int open_counting(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags,
                  int* out_flags) {
  int rc = real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
  if (rc != SQLITE_OK || !(flags & SQLITE_OPEN_WAL) || !file->pMethods) return rc;
  if (!real_wal_methods) {
    real_wal_methods = file->pMethods;
    counting_wal_methods = *file->pMethods;
    counting_wal_methods.xSync = count_wal_sync;
  }
  // A different method table would leave syncs uncounted and fail the test loudly, not wrongly.
  if (file->pMethods == real_wal_methods) file->pMethods = &counting_wal_methods;
  return rc;
}

// Makes the counting shim the default VFS for the lifetime of the object.
class CountingVfs {
 public:
  CountingVfs() {
    real_vfs = sqlite3_vfs_find(nullptr);
    counting_vfs = *real_vfs;
    counting_vfs.zName = "tektra-counting";
    counting_vfs.pNext = nullptr;
    counting_vfs.xOpen = open_counting;
    sqlite3_vfs_register(&counting_vfs, /*makeDflt=*/1);
  }
  ~CountingVfs() {
    sqlite3_vfs_unregister(&counting_vfs);
    sqlite3_vfs_register(real_vfs, /*makeDflt=*/1);
  }
};

TEST(WalSync, EveryAppendSyncsTheLogBeforeReturning) {
  CountingVfs vfs;
  test::TempDir dir;
  auto store = open_sqlite_store(dir.file("store.db"));
  auto conversation = store->create_conversation("durable");
  for (int i = 0; i < 20; ++i) {
    int before = wal_syncs;
    store->append_message(conversation.id, "user", "message " + std::to_string(i));
    EXPECT_GE(wal_syncs - before, 1) << "append " << i << " returned without syncing the WAL";
  }
}

}  // namespace
}  // namespace tektra
