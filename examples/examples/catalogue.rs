//! Prints the component catalogue: every component in the `kamaelia` crate with its family,
//! description, boxes (name, direction, type, doc) and parameters. The catalogue is generated
//! from the components themselves (each registers its entry next to its code).
//!
//! ```text
//! cargo run -p examples --example catalogue            # text
//! cargo run -p examples --example catalogue -- --json  # a JSON array, one object per component
//! ```

fn main() {
    let entries = kamaelia::catalogue::all();
    if std::env::args().any(|a| a == "--json") {
        println!("{}", kamaelia::catalogue::to_json(&entries));
    } else {
        print!("{}", kamaelia::catalogue::to_text(&entries));
        println!("{} components", entries.len());
    }
}
