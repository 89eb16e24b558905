// libFuzzer target for the journal's export line parser (`qaqpa journal
// verify` reads files from anywhere): any bytes are a row or an error with a
// one-line detail; a row that parses writes back to a line that parses to
// the same canonical text.
#include "core/journal_format.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    auto row = qaqpa::parse_json_line(line);
    if (!row) {
        if (row.error().detail.empty()) std::abort();
        return 0;
    }
    auto again = qaqpa::parse_json_line(qaqpa::to_json_line(*row));
    if (!again || qaqpa::canonical_bytes(*again) != qaqpa::canonical_bytes(*row)) {
        std::fprintf(stderr, "round trip lost the row: %s\n", qaqpa::to_json_line(*row).c_str());
        std::abort();
    }
    return 0;
}
