#include "core/json_text.hpp"

#include "core/utf8.hpp"

#include <fmt/format.h>

namespace qaqpa {

void append_json_escaped(std::string& out, std::string_view text) {
    std::string repaired;
    if (!valid_utf8(text)) {
        repaired = to_valid_utf8(text);
        text = repaired;
    }
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<int>(c));
            else out += c;
        }
    }
}

} // namespace qaqpa
