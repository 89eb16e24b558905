# Writes a C++ table of the WSDL/XSD files (cmake -P): OUT, DIR, FILES.
set(body "// Generated from transports/soap/wsdl by embed_files.cmake. Do not edit.\n#include \"transports/soap/wsdl.hpp\"\nnamespace qaqpa::soap {\nconst std::vector<wsdl_file>& wsdl_files() {\n    static const std::vector<wsdl_file> files{\n")
string(REPLACE "," ";" file_list "${FILES}")
foreach(f IN LISTS file_list)
  file(READ "${DIR}/${f}" content)
  string(APPEND body "        {\"${f}\", R\"qaqpa_wsdl(${content})qaqpa_wsdl\"},\n")
endforeach()
string(APPEND body "    };\n    return files;\n}\n} // namespace qaqpa::soap\n")
file(WRITE "${OUT}" "${body}")
