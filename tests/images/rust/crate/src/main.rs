//! Prints whether standard output is a terminal, through a SmallVec.

use smallvec::SmallVec;

fn main() {
    let mut words: SmallVec<[&str; 4]> = SmallVec::new();
    words.push("stdout");
    words.push(if atty::is(atty::Stream::Stdout) {
        "is a terminal"
    } else {
        "is not a terminal"
    });
    println!("{}", words.join(" "));
}
