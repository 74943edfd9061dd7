//! The native `runr` command line.

pub fn main(args: &[String]) -> u8 {
    let verb = args.get(1).map(String::as_str).unwrap_or("");
    match verb {
        "--version" | "version" => {
            println!("runr {}", env!("CARGO_PKG_VERSION"));
            0
        }
        _ => {
            eprintln!("runr: unknown command '{verb}'");
            1
        }
    }
}
