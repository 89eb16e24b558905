#pragma once
// Certificates, keys and trust stores named by files that may be replaced
// while the gateway runs (a renewed certificate): read once, kept while the
// files' write times stay, read again after one changes.
//
// Thread safety: get() may run on every thread at once.

#include "core/errors.hpp"

#include <filesystem>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::routing::detail {

template <class T>
class file_memo {
public:
    /// What `read()` makes of `files`, from memory while none of them
    /// changed; `key` names the memory. An unreadable file is bad_config naming it.
    template <class Read>
    result<T> get(const std::string& key, std::initializer_list<std::string_view> files, Read read) const {
        std::vector<std::filesystem::file_time_type> written;
        for (const auto file : files) {
            std::error_code ec;
            written.push_back(std::filesystem::last_write_time(file, ec));
            if (ec) return fail(errc::bad_config, "cannot read \"" + std::string(file) + "\": " + ec.message());
        }
        {
            std::lock_guard lk(mutex_);
            if (const auto it = memory_.find(key); it != memory_.end() && it->second.written == written)
                return it->second.value;
        }
        result<T> made = read();
        if (!made) return made.error();
        std::lock_guard lk(mutex_);
        if (memory_.size() >= 1024) memory_.clear(); // files named by a registry: a handful in practice
        memory_.insert_or_assign(key, entry{std::move(written), *made});
        return made;
    }

private:
    struct entry {
        std::vector<std::filesystem::file_time_type> written;
        T value;
    };
    mutable std::mutex mutex_;
    mutable std::map<std::string, entry, std::less<>> memory_;
};

} // namespace qaqpa::routing::detail
