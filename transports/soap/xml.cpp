#include "transports/soap/xml.hpp"

#include <fmt/format.h>

#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <algorithm>
#include <array>

#include <boost/container/small_vector.hpp>

namespace qaqpa::soap {
namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);

/// The first `c` in `s` from `from`, or npos. Inline, sixteen bytes at a
/// time: the distances here are mostly a few bytes (names, the space
/// between tags), where a call into libc's memchr costs more than the search.
std::size_t find_byte(std::string_view s, char c, std::size_t from = 0) noexcept {
#ifdef __SSE2__
    const __m128i needle = _mm_set1_epi8(c);
    for (; from + 16 <= s.size(); from += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + from));
        if (const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)); mask != 0)
            return from + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    for (; from < s.size(); ++from)
        if (s[from] == c) return from;
    return std::string_view::npos;
}

/// XML 1.0 allows no C0 control character but TAB, LF and CR, anywhere: a
/// document with one is refused, never silently changed.
std::optional<unsigned> forbidden_control(std::string_view text) noexcept {
    std::size_t i = 0;
#ifdef __SSE2__
    // Sixteen bytes at a time (every request passes here, twice per relayed
    // call): a byte is suspect when its top three bits are clear (< 0x20)
    // and it is none of TAB, LF, CR.
    const __m128i high = _mm_set1_epi8(static_cast<char>(0xE0)), zero = _mm_setzero_si128();
    const __m128i tab = _mm_set1_epi8('\t'), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; i + 16 <= text.size(); i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
        const __m128i control = _mm_cmpeq_epi8(_mm_and_si128(v, high), zero);
        const __m128i allowed =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, lf)), _mm_cmpeq_epi8(v, cr));
        if (const int mask = _mm_movemask_epi8(_mm_andnot_si128(allowed, control)); mask != 0)
            return static_cast<unsigned char>(text[i + static_cast<std::size_t>(__builtin_ctz(mask))]);
    }
#endif
    for (; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return c;
    }
    return std::nullopt;
}


std::string_view trim(std::string_view s) {
    while (!s.empty() && std::strchr(" \t\r\n", s.front())) s.remove_prefix(1);
    while (!s.empty() && std::strchr(" \t\r\n", s.back())) s.remove_suffix(1);
    return s;
}

void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}


bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// The bytes that end a name: whitespace, '/', '>' and '='. A table: one
/// load per byte instead of seven compares.
constexpr auto name_stops = [] {
    std::array<bool, 256> stops{};
    for (const unsigned char c : {' ', '\t', '\r', '\n', '/', '>', '='}) stops[c] = true;
    return stops;
}();

/// Where a name ends: whitespace, '/', '>' or '=' (or the end).
std::size_t name_end(std::string_view s, std::size_t from) noexcept {
    while (from < s.size() && !name_stops[static_cast<unsigned char>(s[from])]) ++from;
    return from;
}

std::size_t skip_space(std::string_view s, std::size_t from) noexcept {
    while (from < s.size() && is_space(s[from])) ++from;
    return from;
}

std::string_view local_of(std::string_view qname) noexcept {
    const auto colon = find_byte(qname, ':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

/// The prefix an `xmlns:prefix` attribute declares; empty for any other
/// attribute (a fixed-size compare the compiler inlines, unlike
/// string_view::starts_with).
std::string_view declared_prefix(std::string_view attribute) noexcept {
    if (attribute.size() <= 6 || std::memcmp(attribute.data(), "xmlns:", 6) != 0) return {};
    return attribute.substr(6);
}

bool is_payload_parent(std::string_view local) noexcept {
    return local == "requestData" || local == "responseData" || local == "messageData";
}

/// A start tag's attributes, from just after its name: returns where the tag
/// ends (one past '>') and whether it closes itself, or a problem.
struct start_tag {
    std::size_t end = 0;
    bool self_closing = false;
    const char* problem = nullptr;
};

start_tag scan_attributes(std::string_view s, std::size_t pos) noexcept {
    for (;;) {
        pos = skip_space(s, pos);
        if (pos >= s.size()) return {0, false, "unterminated start tag"};
        if (s[pos] == '>') return {pos + 1, false, nullptr};
        if (s[pos] == '/') {
            if (pos + 1 < s.size() && s[pos + 1] == '>') return {pos + 2, true, nullptr};
            return {0, false, "'/' not followed by '>' in a start tag"};
        }
        const auto name_to = name_end(s, pos);
        if (name_to == pos) return {0, false, "attribute without a name"};
        pos = skip_space(s, name_to);
        if (pos >= s.size() || s[pos] != '=') return {0, false, "attribute without '='"};
        pos = skip_space(s, pos + 1);
        if (pos >= s.size() || (s[pos] != '"' && s[pos] != '\'')) return {0, false, "attribute value not quoted"};
        const auto close = find_byte(s, s[pos], pos + 1);
        if (close == std::string_view::npos) return {0, false, "unterminated attribute value"};
        if (find_byte(s.substr(pos + 1, close - pos - 1), '<') != std::string_view::npos)
            return {0, false, "'<' in an attribute value"};
        pos = close + 1;
    }
}

/// Calls f(name, value) for each attribute of a start tag scan_attributes
/// accepted; stops early when f returns true.
template <class F>
void for_each_attribute(std::string_view attrs, F&& f) {
    std::size_t pos = 0;
    for (;;) {
        pos = skip_space(attrs, pos);
        if (pos >= attrs.size() || attrs[pos] == '/' || attrs[pos] == '>') return;
        const auto name_to = name_end(attrs, pos);
        const auto name = attrs.substr(pos, name_to - pos);
        pos = skip_space(attrs, skip_space(attrs, name_to) + 1); // past '='
        const auto close = find_byte(attrs, attrs[pos], pos + 1);
        if (f(name, attrs.substr(pos + 1, close - pos - 1))) return;
        pos = close + 1;
    }
}

failure malformed(std::size_t at, std::string_view what) {
    return failure{errc::bad_envelope, fmt::format("malformed XML at byte {}: {}", at, what)};
}

} // namespace

xml_document& xml_document::scratch() {
    thread_local xml_document doc;
    return doc;
}

result<const xml_node*> xml_document::parse(std::string_view text) {
    text_ = text;
    nodes_.clear();
    payload_.reset();
    if (auto c = forbidden_control(text))
        return fail(errc::bad_envelope, fmt::format("control character U+{:04X} in the document (XML 1.0 allows none "
                                                    "but TAB, LF and CR)", *c));
    if (auto r = scan(); !r) return r.error();
    if (nodes_.empty()) return fail(errc::bad_envelope, "no root element");
    // The table is complete and will not move: link it (document order, so
    // siblings come in order).
    last_child_.assign(nodes_.size(), none);
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const auto p = parents_[i];
        if (p == none) continue;
        nodes_[i].parent = &nodes_[p];
        if (last_child_[p] == none) nodes_[p].first_child = &nodes_[i];
        else nodes_[last_child_[p]].next_sibling = &nodes_[i];
        last_child_[p] = i;
    }
    return &nodes_.front();
}

result<void> xml_document::scan() {
    const std::string_view s = text_;
    open_.clear();
    inside_.clear();
    parents_.clear();
    bool root_done = false;
    bool in_payload = false;
    std::size_t pos = 0;
    for (;;) {
        const auto lt = find_byte(s, '<', pos);
        const auto text_end = lt == std::string_view::npos ? s.size() : lt;
        if (open_.empty() && skip_space(s, pos) < text_end)
            return malformed(skip_space(s, pos), "text outside the root element");
        if (lt == std::string_view::npos) break;
        // Dispatch on the byte after '<' (the markup that is not a tag is rare).
        const char kind = lt + 1 < s.size() ? s[lt + 1] : '\0';
        if (kind == '?') {
            const auto e = s.find("?>", lt + 2);
            if (e == std::string_view::npos) return malformed(lt, "unterminated processing instruction");
            pos = e + 2;
            continue;
        }
        if (kind == '!') {
            const auto rest = s.substr(lt);
            if (rest.starts_with("<!--")) {
                const auto e = s.find("-->", lt + 4);
                if (e == std::string_view::npos) return malformed(lt, "unterminated comment");
                pos = e + 3;
                continue;
            }
            if (rest.starts_with("<![CDATA[")) {
                if (open_.empty()) return malformed(lt, "CDATA outside the root element");
                const auto e = s.find("]]>", lt + 9);
                if (e == std::string_view::npos) return malformed(lt, "unterminated CDATA section");
                pos = e + 3;
                continue;
            }
            return fail(errc::bad_envelope, "DOCTYPE is not allowed");
        }
        if (kind == '/') {
            const auto name_to = name_end(s, lt + 2);
            const auto name = s.substr(lt + 2, name_to - lt - 2);
            const auto gt = skip_space(s, name_to);
            if (gt >= s.size() || s[gt] != '>') return malformed(lt, "malformed end tag");
            if (in_payload && !inside_.empty()) {
                if (inside_.back() != name) return fail(errc::bad_envelope, "end tag </" + std::string(name) + "> does not match");
                inside_.pop_back();
            } else {
                if (open_.empty() || nodes_[open_.back()].name != name)
                    return fail(errc::bad_envelope, "end tag </" + std::string(name) + "> does not match");
                auto& node = nodes_[open_.back()];
                const auto begin = static_cast<std::size_t>(node.content.data() - s.data());
                node.content = s.substr(begin, lt - begin);
                if (in_payload) { // the data element itself closes
                    in_payload = false;
                    payload_ = node.content;
                }
                open_.pop_back();
                if (open_.empty()) root_done = true;
            }
            pos = gt + 1;
            continue;
        }
        // A start tag.
        const auto name_to = name_end(s, lt + 1);
        if (name_to == lt + 1) return malformed(lt, "element without a name");
        const auto name = s.substr(lt + 1, name_to - lt - 1);
        const auto tag = scan_attributes(s, name_to);
        if (tag.problem) return malformed(lt, tag.problem);
        if (root_done) return malformed(lt, "a second root element");
        if (open_.size() + inside_.size() >= max_depth) return fail(errc::bad_envelope, "elements nest too deeply");
        pos = tag.end;
        if (in_payload) {
            if (!tag.self_closing) inside_.push_back(name);
            continue;
        }
        const std::size_t parent = open_.empty() ? none : open_.back();
        // Built in place: a node built aside and copied in costs a
        // store-forwarding stall per element, and one value-initialised
        // first a `rep stos`.
        const auto& node = nodes_.emplace_back(name, local_of(name),
                                               s.substr(name_to, tag.end - name_to - (tag.self_closing ? 2 : 1)),
                                               s.substr(tag.end, 0), tag.self_closing);
        parents_.push_back(parent);
        if (tag.self_closing) {
            if (open_.empty()) root_done = true;
            continue;
        }
        if (!payload_ && parent != none && node.local == "data" &&
            is_payload_parent(nodes_[parent].local))
            in_payload = true;
        open_.push_back(nodes_.size() - 1);
    }
    if (!inside_.empty()) return fail(errc::bad_envelope, "element <" + std::string(inside_.back()) + "> is not closed");
    if (!open_.empty())
        return fail(errc::bad_envelope, "element <" + std::string(nodes_[open_.back()].name) + "> is not closed");
    return {};
}

std::string_view namespace_of(const xml_node* n) noexcept {
    // The scan split the name already: the prefix is what precedes the local name's colon.
    const std::string_view prefix =
        n->local.size() == n->name.size() ? std::string_view{} : n->name.substr(0, n->name.size() - n->local.size() - 1);
    for (const xml_node* e = n; e; e = e->parent) {
        std::optional<std::string_view> found;
        for_each_attribute(e->attributes, [&](std::string_view an, std::string_view value) {
            if (prefix.empty() ? an == "xmlns" : declared_prefix(an) == prefix) found = value;
            return found.has_value();
        });
        if (found) return *found;
    }
    return {};
}

bool is(const xml_node* n, std::string_view ns, std::string_view local) noexcept {
    return n && local_name(n) == local && namespace_of(n) == ns;
}

const xml_node* first_element(const xml_node* parent) noexcept { return parent->first_child; }

const xml_node* next_element(const xml_node* n) noexcept { return n->next_sibling; }

const xml_node* child(const xml_node* parent, std::string_view local) noexcept {
    if (!parent) return nullptr;
    for (const auto* c = parent->first_child; c; c = c->next_sibling)
        if (c->local == local) return c;
    return nullptr;
}

std::optional<std::string> text_of(const xml_node* n) {
    if (n->first_child) return std::nullopt;
    return text_content(n->content);
}

std::optional<std::string> text_content(std::string_view s) {
    // Character data and CDATA sections; comments and processing
    // instructions between them are left out.
    std::string out;
    for (std::size_t pos = 0;;) {
        const auto lt = find_byte(s, '<', pos);
        if (!decode_entities(s.substr(pos, lt == std::string_view::npos ? std::string_view::npos : lt - pos), out))
            return std::nullopt;
        if (lt == std::string_view::npos) return out;
        const auto rest = s.substr(lt);
        if (rest.starts_with("<![CDATA[")) {
            const auto e = s.find("]]>", lt + 9);
            out.append(s.substr(lt + 9, e - lt - 9));
            pos = e + 3;
        } else if (rest.starts_with("<!--")) {
            pos = s.find("-->", lt + 4) + 3;
        } else if (rest.starts_with("<?")) {
            pos = s.find("?>", lt + 2) + 2;
        } else {
            return std::nullopt; // an element (in a payload, whose elements have no entries)
        }
    }
}

bool is_xml_content(std::string_view content, bool* has_element) {
    std::string wrapped;
    wrapped.reserve(content.size() + 7);
    wrapped.append("<x>").append(content).append("</x>");
    xml_document doc;
    auto root = doc.parse(wrapped);
    if (!root) return false;
    if (has_element) *has_element = first_element(*root) != nullptr;
    return true;
}

bool is_nil(const xml_node* n) noexcept {
    bool nil = false;
    for_each_attribute(n->attributes, [&](std::string_view name, std::string_view value) {
        const auto colon = find_byte(name, ':');
        nil = colon != std::string_view::npos && name.substr(colon + 1) == "nil" && trim(value) == "true";
        return nil;
    });
    return nil;
}

result<message_payload> extract_payload(const xml_node* data) {
    message_payload p;
    p.present = true;
    const auto own = trim(data->attributes);
    p.attributes.reserve(own.size() + 256);
    p.attributes.assign(own);

    // Carry the prefixed namespace declarations in scope at <data>, nearest
    // first, so the payload's prefixes still resolve in the new envelope.
    // A handful at most: a flat list, no allocation per prefix.
    boost::container::small_vector<std::string_view, 8> declared;
    const auto first_time = [&declared](std::string_view prefix) {
        if (std::find(declared.begin(), declared.end(), prefix) != declared.end()) return false;
        declared.push_back(prefix);
        return true;
    };
    for_each_attribute(data->attributes, [&](std::string_view an, std::string_view) {
        if (const auto prefix = declared_prefix(an); !prefix.empty()) first_time(prefix);
        return false;
    });
    for (const xml_node* e = data->parent; e; e = e->parent) {
        for_each_attribute(e->attributes, [&](std::string_view an, std::string_view v) {
            const auto prefix = declared_prefix(an);
            if (prefix.empty() || !first_time(prefix)) return false;
            const char q = v.find('"') == std::string_view::npos ? '"' : '\'';
            if (!p.attributes.empty()) p.attributes.push_back(' ');
            p.attributes.append(an).append(1, '=').append(1, q).append(v).append(1, q);
            return false;
        });
    }
    p.content.assign(data->content);
    return p;
}

namespace {

/// Where in `text`, from `i`, the first byte that append_escaped must
/// replace is (&, <, >, ", or a C0 control other than TAB, LF, CR), or
/// text.size(). Sixteen bytes at a time: almost nothing needs escaping.
std::size_t next_to_escape(std::string_view text, std::size_t i) noexcept {
    auto special = [](unsigned char c) {
        return c == '&' || c == '<' || c == '>' || c == '"' || (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
    };
#ifdef __SSE2__
    const __m128i high = _mm_set1_epi8(static_cast<char>(0xE0)), zero = _mm_setzero_si128();
    const __m128i tab = _mm_set1_epi8('\t'), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'), quot = _mm_set1_epi8('"');
    for (; i + 16 <= text.size(); i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
        const __m128i allowed =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, lf)), _mm_cmpeq_epi8(v, cr));
        const __m128i control = _mm_andnot_si128(allowed, _mm_cmpeq_epi8(_mm_and_si128(v, high), zero));
        const __m128i markup = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, lt)),
                                            _mm_or_si128(_mm_cmpeq_epi8(v, gt), _mm_cmpeq_epi8(v, quot)));
        if (const int mask = _mm_movemask_epi8(_mm_or_si128(control, markup)); mask != 0)
            return i + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    for (; i < text.size(); ++i)
        if (special(static_cast<unsigned char>(text[i]))) return i;
    return text.size();
}

} // namespace

void append_escaped(std::string& out, std::string_view text) {
    std::size_t from = 0;
    for (std::size_t i = next_to_escape(text, 0); i < text.size(); i = next_to_escape(text, from)) {
        const char* rep = "?"; // C0 controls are not allowed in XML 1.0 at all (e.g. from a header value quoted in a fault)
        switch (text[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        default: break;
        }
        out.append(text.substr(from, i - from)).append(rep);
        from = i + 1;
    }
    out.append(text.substr(from));
}

void append_element(std::string& out, std::string_view name, std::string_view text) {
    out.append(1, '<').append(name).append(1, '>');
    append_escaped(out, text);
    out.append("</").append(name).append(1, '>');
}

bool decode_entities(std::string_view in, std::string& out) {
    for (std::size_t i = 0; i < in.size();) {
        const auto amp = find_byte(in, '&', i);
        out.append(in.substr(i, amp - i));
        if (amp == std::string_view::npos) return true;
        const auto semi = in.find(';', amp);
        if (semi == std::string_view::npos) return false;
        const auto ent = in.substr(amp + 1, semi - amp - 1);
        if (ent == "lt") out.push_back('<');
        else if (ent == "gt") out.push_back('>');
        else if (ent == "amp") out.push_back('&');
        else if (ent == "quot") out.push_back('"');
        else if (ent == "apos") out.push_back('\'');
        else if (ent.size() > 1 && ent[0] == '#') {
            const bool hex = ent[1] == 'x';
            const auto digits = ent.substr(hex ? 2 : 1);
            if (digits.empty() || digits.size() > 8) return false;
            unsigned long cp = 0;
            for (char c : digits) {
                int d = (c >= '0' && c <= '9') ? c - '0'
                        : hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                                       : -1;
                if (d < 0) return false;
                cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(d);
            }
            if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
            append_utf8(out, cp);
        } else {
            return false;
        }
        i = semi + 1;
    }
    return true;
}

} // namespace qaqpa::soap
