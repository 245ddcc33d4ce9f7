// Asio, Asio's TLS layer and Beast compiled once for the whole program (separate compilation:
// every other translation unit only declares what it uses).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
