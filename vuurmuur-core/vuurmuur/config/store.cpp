// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/config/store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vuurmuur/io/file_io.h"

namespace vuurmuur::config {

namespace fs = std::filesystem;

Tree Store::load(diag::Diagnostics& diags) const {
    io::TreeLock lock(root_, io::TreeLock::Mode::Shared);
    return load_textdir(root_, diags);
}

void Store::transact(const std::function<void(Transaction&)>& edit) {
    io::TreeLock lock(root_, io::TreeLock::Mode::Exclusive);
    Transaction tx(root_);
    edit(tx);
    tx.commit();
}

void Store::modify(const std::string& rel, const std::function<void(KvFile&)>& edit) {
    transact([&](Transaction& tx) { edit(tx.file(rel)); });
}

bool Transaction::exists(const std::string& rel) const {
    if (removed_.count(rel) != 0) return false;
    if (files_.count(rel) != 0) return true;
    struct stat st {};
    return ::lstat((root_ / rel).c_str(), &st) == 0;
}

KvFile& Transaction::file(const std::string& rel) {
    auto it = files_.find(rel);
    if (it != files_.end()) return it->second;
    diag::Diagnostics diags;
    auto text = io::read_config_file(root_ / rel, rel, kMaxFileBytes, diags);
    if (!text) {
        std::string why = diags.all().empty() ? "cannot read" : diags.all().front().message;
        throw io::IoError(rel + ": " + why);
    }
    // Syntax problems in untouched lines are kept as they are; the edit changes only its keys.
    diag::Diagnostics ignored;
    return files_.emplace(rel, KvFile::parse(*text, rel, ignored)).first->second;
}

KvFile& Transaction::create(const std::string& rel) {
    if (exists(rel)) throw io::IoError(rel + ": exists already");
    created_.insert(rel);
    removed_.erase(rel);
    return files_.insert_or_assign(rel, KvFile::empty(rel)).first->second;
}

void Transaction::remove(const std::string& rel) {
    files_.erase(rel);
    created_.erase(rel);
    removed_.insert(rel);
}

void Transaction::rename(const std::string& from, const std::string& to) {
    renames_.emplace_back(from, to);
}

void Transaction::remove_dir(const std::string& rel) { removed_dirs_.push_back(rel); }

void Transaction::commit() {
    for (auto& [rel, file] : files_) {
        if (!file.modified() && created_.count(rel) == 0) continue;
        fs::path path = root_ / rel;
        io::make_dirs(path.parent_path());
        io::write_file_atomic(path, file.serialize(), 0600);
    }
    for (const auto& rel : removed_) {
        fs::path path = root_ / rel;
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            throw io::IoError("cannot remove " + path.string() + ": " + std::strerror(errno));
        }
        io::sync_dir(path.parent_path());
    }
    for (const auto& rel : removed_dirs_) {
        fs::path path = root_ / rel;
        if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
            throw io::IoError("cannot remove " + path.string() + ": " + std::strerror(errno));
        }
        io::sync_dir(path.parent_path());
    }
    for (const auto& [from, to] : renames_) {
        fs::path a = root_ / from;
        fs::path b = root_ / to;
        io::make_dirs(b.parent_path());
        struct stat st {};
        if (::lstat(b.c_str(), &st) == 0) throw io::IoError("cannot rename to " + b.string() + ": exists");
        if (::rename(a.c_str(), b.c_str()) != 0) {
            throw io::IoError("cannot rename " + a.string() + ": " + std::strerror(errno));
        }
        io::sync_dir(a.parent_path());
        if (a.parent_path() != b.parent_path()) io::sync_dir(b.parent_path());
    }
}

}  // namespace vuurmuur::config
