#include "tests/support/xsd_check.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <unistd.h>

namespace qaqpa::test {
namespace {

namespace fs = std::filesystem;

xmlNode* first_element(xmlNode* n) {
    for (xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) return c;
    return nullptr;
}

xmlNode* child_named(xmlNode* n, const char* local) {
    for (xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST local) == 0) return c;
    return nullptr;
}

void collect(void* ctx, const xmlError* e) {
    auto* out = static_cast<std::string*>(ctx);
    *out += e->message ? e->message : "error";
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// A private copy of the real schemas (removed at exit) in which every import
/// of a namespace points at that namespace's hub: one schema that includes
/// all of the namespace's files. libxml2 then sees each namespace whole.
class hubs {
public:
    explicit hubs(const fs::path& ref) : dir_(fs::temp_directory_path() / ("qaqpa-xsd-" + std::to_string(::getpid()))) {
        fs::create_directories(dir_);
        const std::regex tns(R"re(targetNamespace="([^"]+)")re");
        std::map<std::string, std::vector<fs::path>> files;
        std::vector<std::pair<fs::path, std::string>> copies;
        for (const auto& e : fs::recursive_directory_iterator(ref)) {
            if (e.path().extension() != ".xsd") continue;
            const auto copy = dir_ / "tree" / fs::relative(e.path(), ref);
            auto text = read_file(e.path());
            std::smatch m;
            if (std::regex_search(text, m, tns)) files[m[1]].push_back(copy);
            copies.emplace_back(copy, std::move(text));
        }
        int i = 0;
        for (const auto& [ns, list] : files) {
            const auto hub = dir_ / ("hub" + std::to_string(i++) + ".xsd");
            std::ofstream out(hub);
            out << "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" targetNamespace=\"" << ns << "\">";
            for (const auto& f : list) out << "<xs:include schemaLocation=\"" << f.string() << "\"/>";
            out << "</xs:schema>";
            hub_[ns] = hub;
        }
        const std::regex import(R"re(<(\w+:)?import\b[^>]*namespace="([^"]+)"[^>]*>)re");
        const std::regex location(R"re(schemaLocation="[^"]*")re");
        for (auto& [copy, text] : copies) {
            std::string rewritten;
            auto from = text.cbegin();
            for (std::sregex_iterator it(text.begin(), text.end(), import), end; it != end; ++it) {
                rewritten.append(from, (*it)[0].first);
                std::string tag = (*it)[0];
                if (auto hub = hub_.find((*it)[2]); hub != hub_.end())
                    tag = std::regex_replace(tag, location, "schemaLocation=\"" + hub->second.string() + "\"");
                rewritten += tag;
                from = (*it)[0].second;
            }
            rewritten.append(from, text.cend());
            fs::create_directories(copy.parent_path());
            std::ofstream(copy) << rewritten;
        }
    }
    ~hubs() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    /// The hub of a namespace, or "" when the real set has none.
    std::string hub(std::string_view ns) const {
        const auto it = hub_.find(std::string(ns));
        return it == hub_.end() ? std::string() : it->second.string();
    }

private:
    fs::path dir_;
    std::map<std::string, fs::path> hub_;
};

} // namespace

std::optional<fs::path> shep_reference_dir() {
    const fs::path dir = fs::path(QAQPA_SHARED_DIR) / "reference" / "shep-wsdl";
    if (fs::exists(dir)) return fs::canonical(dir);
    return std::nullopt;
}

std::string validate_body(const std::string& envelope, std::string_view body_namespace) {
    static std::mutex mutex; // compiled schemas are cached; one validation at a time
    std::lock_guard lock(mutex);
    const auto ref = shep_reference_dir();
    if (!ref) return "../shared/reference/shep-wsdl is absent";
    static const hubs all(*ref);
    // Compiled once per namespace; freed at exit so LeakSanitizer stays quiet.
    struct schema_cache : std::map<std::string, xmlSchemaPtr, std::less<>> {
        ~schema_cache() {
            for (auto& [ns, schema] : *this) xmlSchemaFree(schema);
        }
    };
    static schema_cache schemas;
    auto& schema = schemas[std::string(body_namespace)];
    if (!schema) {
        const auto hub = all.hub(body_namespace);
        if (hub.empty()) return "no real schema for " + std::string(body_namespace);
        xmlSchemaParserCtxtPtr pctx = xmlSchemaNewParserCtxt(hub.c_str());
        std::string load_errors;
        xmlSchemaSetParserStructuredErrors(pctx, reinterpret_cast<xmlStructuredErrorFunc>(&collect), &load_errors);
        schema = xmlSchemaParse(pctx);
        xmlSchemaFreeParserCtxt(pctx);
        if (!schema) return "cannot load the schema of " + std::string(body_namespace) + ": " + load_errors;
    }
    std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> doc(
        xmlReadMemory(envelope.data(), static_cast<int>(envelope.size()), "envelope.xml", nullptr, XML_PARSE_NONET),
        xmlFreeDoc);
    if (!doc) return "the envelope is not well-formed XML";
    xmlNode* body = child_named(xmlDocGetRootElement(doc.get()), "Body");
    xmlNode* target = first_element(body);
    if (target && xmlStrcmp(target->name, BAD_CAST "Fault") == 0) {
        xmlNode* detail = child_named(target, "detail");
        if (!detail) detail = child_named(target, "Detail");
        target = first_element(detail);
    }
    if (!target) return "no element to validate in the Body";
    std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> part(xmlNewDoc(BAD_CAST "1.0"), xmlFreeDoc);
    xmlNode* copy = xmlDocCopyNode(target, part.get(), 1);
    xmlDocSetRootElement(part.get(), copy);
    xmlReconciliateNs(part.get(), copy);
    std::string errors;
    xmlSchemaValidCtxtPtr vctx = xmlSchemaNewValidCtxt(schema);
    xmlSchemaSetValidStructuredErrors(vctx, reinterpret_cast<xmlStructuredErrorFunc>(&collect), &errors);
    const int rc = xmlSchemaValidateDoc(vctx, part.get());
    xmlSchemaFreeValidCtxt(vctx);
    if (rc != 0 && errors.empty()) errors = "invalid (code " + std::to_string(rc) + ")";
    return errors;
}

} // namespace qaqpa::test
