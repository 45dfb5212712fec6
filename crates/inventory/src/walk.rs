//! Reading one layer as a stream: placeholder, being written.
