#pragma once
// XML helpers for the SOAP edge: a non-destructive RapidXML parse (names and
// values stay views into the caller's bytes, so the payload can be carried
// verbatim), namespace resolution for any prefixes, entity decoding for the
// small header fields, and escaping for what we write.
//
// Hostile input: any DOCTYPE is refused (no entity is ever expanded), NUL
// bytes are refused, and nesting deeper than max_depth is refused before
// RapidXML (which recurses) sees the text.
//
// The payload is opaque: a first pass over the tags (depth, DOCTYPE, matching
// end tags) also finds the content of the message's `data` element (under
// requestData, responseData or messageData), and RapidXML parses only the
// envelope with that content cut out. The payload bytes are taken from the
// original text: a large or element-heavy payload costs one scan, and no
// RapidXML nodes.

#include "core/envelope.hpp"
#include "core/errors.hpp"

#include <rapidxml/rapidxml.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::soap {

using xml_node = rapidxml::xml_node<char>;

inline constexpr std::size_t max_depth = 256;

/// A parsed document. Views point into the text given to parse(), which must
/// outlive the document and must not change.
class xml_document {
public:
    xml_document();
    ~xml_document();
    xml_document(const xml_document&) = delete;
    xml_document& operator=(const xml_document&) = delete;

    /// Parses `text` (a std::string, so it is NUL-terminated) and returns the
    /// root element, or bad_envelope with the reason.
    result<const xml_node*> parse(const std::string& text);

    /// The text RapidXML parsed (the envelope; the payload content cut out).
    std::string_view text() const noexcept { return text_; }

    /// This thread's reusable document: RapidXML's document carries a 64 KiB
    /// pool, too much to allocate per message. Valid until the next parse on
    /// this thread, so nothing parsed may be kept across a suspension point.
    static xml_document& scratch();

    /// Where the payload was cut: its position in text(), and its bytes in
    /// the original.
    struct payload_cut {
        std::size_t at = std::string::npos;
        std::string_view content;
    };
    const payload_cut& cut() const noexcept { return cut_; }

private:
    std::unique_ptr<rapidxml::xml_document<char>> doc_;
    std::string skeleton_;
    std::vector<std::string_view> open_; ///< the prescan's element stack, reused
    std::string_view text_;
    payload_cut cut_;
};

std::string_view name_of(const xml_node* n) noexcept;
std::string_view local_name(const xml_node* n) noexcept;
/// The namespace URI of an element, resolved through its ancestors' xmlns
/// declarations; empty when unqualified.
std::string_view namespace_of(const xml_node* n) noexcept;

bool is(const xml_node* n, std::string_view ns, std::string_view local) noexcept;

const xml_node* first_element(const xml_node* parent) noexcept;
const xml_node* next_element(const xml_node* n) noexcept;
/// The first child element with this local name (children are unqualified on
/// the wire; we match by local name and accept qualified ones too).
const xml_node* child(const xml_node* parent, std::string_view local) noexcept;

/// The element's text (character data and CDATA), entities decoded; nullopt
/// for an undefined entity or an element with child elements.
std::optional<std::string> text_of(const xml_node* n);

/// True when the element carries xsi:nil="true".
bool is_nil(const xml_node* n) noexcept;

/// The payload of a `data` element: its content bytes as written, its
/// attributes, and the namespace declarations it inherits.
result<xml_payload> extract_payload(const xml_document& doc, const xml_node* data);

/// Appends text with &, <, > and " escaped.
void append_escaped(std::string& out, std::string_view text);

/// Appends <name>escaped text</name>.
void append_element(std::string& out, std::string_view name, std::string_view text);

/// Decodes the five predefined entities and character references.
bool decode_entities(std::string_view in, std::string& out);

} // namespace qaqpa::soap
