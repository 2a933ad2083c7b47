fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let html = paperboy::charset::decode(&bytes, None).text;
    let a = paperboy::extract::extract(&html, None, &Default::default(), chrono_tz::Asia::Shanghai);
    println!("{}\n---\n{}", a.title, a.text);
}
