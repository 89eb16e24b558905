# Writes a C++ function returning a text file's contents (cmake -P):
# OUT, IN, NAMESPACE, FUNCTION, HEADER (the header declaring it).
file(READ "${IN}" content)
file(WRITE "${OUT}" "// Generated from ${IN} by embed_text.cmake. Do not edit.\n#include \"${HEADER}\"\nnamespace ${NAMESPACE} {\nstd::string_view ${FUNCTION}() {\n    return R\"qaqpa_text(${content})qaqpa_text\";\n}\n} // namespace ${NAMESPACE}\n")
