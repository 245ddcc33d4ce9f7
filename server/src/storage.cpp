#include <draaischijf/server/storage.hpp>

namespace draaischijf::server {

sqlite::Result<std::shared_ptr<Storage>> Storage::open(const std::string& path,
                                                       GroupCommitWriter::Limits limits) {
  auto writer_db = sqlite::Database::open(path);
  if (!writer_db) {
    return writer_db.error();
  }
  auto reader_db = sqlite::Database::open(path);
  if (!reader_db) {
    return reader_db.error();
  }
  return std::make_shared<Storage>(
      std::make_unique<GroupCommitWriter>(std::move(*writer_db), limits), std::move(*reader_db));
}

}  // namespace draaischijf::server
