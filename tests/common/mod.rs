mod server;
#[allow(unused_imports)]
pub use server::*;
mod tsa;
#[allow(unused_imports)]
pub use tsa::*;
