#include "transports/rest/detail/json_source.hpp"

#include "core/json_text.hpp"

#include <algorithm>
#include <vector>

namespace qaqpa::rest::detail {
namespace {

class walker {
public:
    walker(std::string_view text, std::span<const std::string_view> path, source_facts& out)
        : s_(text), path_(path), out_(out) {}

    /// The value at the cursor. `matched`: how many keys of the path lead
    /// here (-1: off the path); `where`: its path, for a repeated key.
    void value(int matched, const std::string& where) {
        space();
        const auto start = i_;
        if (!path_.empty() && matched == static_cast<int>(path_.size())) {
            skip();
            out_.value_at_path = s_.substr(start, i_ - start);
            return;
        }
        if (s_[i_] == '{') object(matched, where);
        else if (s_[i_] == '[') array(where);
        else skip();
    }

private:
    void space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }

    std::string_view string_token() {
        const auto start = i_++;
        while (s_[i_] != '"') i_ += s_[i_] == '\\' ? 2 : 1;
        ++i_;
        return s_.substr(start, i_ - start);
    }

    static std::string key_of(std::string_view token) {
        if (token.find('\\') == std::string_view::npos) return std::string(token.substr(1, token.size() - 2));
        return json_string_contents(token).value_or(std::string(token));
    }

    void object(int matched, const std::string& where) {
        ++i_; // {
        std::vector<std::string> keys;
        for (;;) {
            space();
            if (s_[i_] == '}') break;
            auto key = key_of(string_token());
            const std::string inner = where.empty() ? key : where + "/" + key;
            if (std::find(keys.begin(), keys.end(), key) != keys.end() && out_.repeated_key.empty())
                out_.repeated_key = inner;
            space();
            ++i_; // :
            const bool on_path = matched >= 0 && matched < static_cast<int>(path_.size()) && path_[matched] == key;
            value(on_path ? matched + 1 : -1, inner);
            keys.push_back(std::move(key));
            space();
            if (s_[i_] == ',') ++i_;
        }
        ++i_; // }
    }

    void array(const std::string& where) {
        ++i_; // [
        for (std::size_t n = 0;; ++n) {
            space();
            if (s_[i_] == ']') break;
            value(-1, where + "/" + std::to_string(n));
            space();
            if (s_[i_] == ',') ++i_;
        }
        ++i_; // ]
    }

    /// Past one value without looking into it.
    void skip() {
        const char c = s_[i_];
        if (c == '"') {
            string_token();
            return;
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            do {
                const char d = s_[i_];
                if (d == '"') {
                    string_token();
                    continue;
                }
                if (d == '{' || d == '[') ++depth;
                else if (d == '}' || d == ']') --depth;
                ++i_;
            } while (depth > 0);
            return;
        }
        while (i_ < s_.size() && !ends_scalar()) ++i_; // a number or a literal
    }

    bool ends_scalar() const {
        const char c = s_[i_];
        return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    std::string_view s_;
    std::span<const std::string_view> path_;
    source_facts& out_;
    std::size_t i_ = 0;
};

} // namespace

source_facts scan_source(std::string_view text, std::span<const std::string_view> path) {
    source_facts out;
    walker(text, path, out).value(0, "");
    return out;
}

} // namespace qaqpa::rest::detail
