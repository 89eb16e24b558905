#include "storage/store.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace qaqpa::storage {
namespace {

using opener = result<std::unique_ptr<store>> (*)(const options&);

struct implementation {
    std::string name;
    opener open;
};

/// Every store implementation, in one place.
const std::vector<implementation>& implementations() {
    static const std::vector<implementation> all{{"rocksdb", &open_rocksdb_store}, {"postgresql", &open_pg_store}};
    return all;
}

} // namespace

const std::vector<std::string>& store_kinds() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& i : implementations()) out.push_back(i.name);
        return out;
    }();
    return names;
}

result<std::unique_ptr<store>> open_store(const options& opts) {
    for (const auto& i : implementations())
        if (i.name == opts.kind) return i.open(opts);
    return fail(errc::bad_config,
                fmt::format("no store \"{}\"; there are: {}", opts.kind, fmt::join(store_kinds(), ", ")));
}

} // namespace qaqpa::storage
