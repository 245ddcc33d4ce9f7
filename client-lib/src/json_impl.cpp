// Boost.JSON compiled once for the client library (header-only mode needs exactly one such TU;
// the hub has its own, and the two are never linked into one program).
#include <boost/json/src.hpp>
