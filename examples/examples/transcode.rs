//! The tutorial's batch transcode lesson (`TranscodeAndUploadToBlipTV.py`): a Graphline of a file
//! finder → sorter → filter, a two-way balancer, and two worker pipelines each running one
//! long-lived subprocess that "transcodes" the files it is given (here `gzip`, so it runs
//! anywhere). Each worker reports one line per finished file, which frees it for the next.
//!
//! ```text
//! cargo run --release -p examples --example transcode -- [DIR]   # default: a made-up folder of clips
//! ```

use std::path::PathBuf;

use axon::{next_batch, Batch, Boxes, Component, Context, Control, Error, Inbox, Outbox, System};
use kamaelia::chassis::{Graphline, Pipeline};
use kamaelia::process::UnixProcess;
use kamaelia::util::flow::TwoWayBalancer;
use kamaelia::util::sources::ConsoleEchoer;
use kamaelia::util::transforms::{ChunksToLines, Filter, PureTransformer};

/// Lists the files of a folder (Kamaelia's `Find`), then says it has finished.
#[derive(Boxes)]
struct FindFiles {
    /// Not used.
    inbox: Inbox<()>,
    /// `Shutdown` stops the listing.
    control: Inbox<Control>,
    /// One path per file.
    outbox: Outbox<PathBuf>,
    /// `ProducerFinished` at the end of the listing.
    signal: Outbox<Control>,
    dir: PathBuf,
}

impl Component for FindFiles {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut entries = tokio::fs::read_dir(&self.dir)
            .await
            .map_err(|e| Error::msg(format!("{}: cannot list: {e}", self.dir.display())))?;
        while let Some(entry) = entries.next_entry().await? {
            if let Ok(c) = self.control.try_recv() {
                self.signal.send(c).await.ok();
                return Ok(());
            }
            if entry.file_type().await?.is_file() {
                self.outbox.send(entry.path()).await?;
            }
        }
        self.signal.send(Control::ProducerFinished).await.ok();
        Ok(())
    }
}
kamaelia::impl_stage!([] FindFiles, () => PathBuf);

/// Sorts the whole stream (Kamaelia's `Sort`): it can only start sending at end of stream.
#[derive(Boxes)]
struct Sort {
    /// Paths in any order.
    inbox: Inbox<PathBuf>,
    /// `ProducerFinished`: sort and send everything; `Shutdown`: stop.
    control: Inbox<Control>,
    /// Paths in order.
    outbox: Outbox<PathBuf>,
    /// Passes the control message on.
    signal: Outbox<Control>,
}

impl Component for Sort {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut all = Vec::new();
        let c = loop {
            if let Batch::Control(c) =
                next_batch(&mut self.control, &mut self.inbox, &mut all, 128).await
            {
                break c;
            }
        };
        if c == Control::ProducerFinished {
            self.inbox.recv_many(&mut all, usize::MAX);
            all.sort();
            self.outbox.send_all(&mut all).await?;
        }
        self.signal.send(c).await.ok();
        Ok(())
    }
}
kamaelia::impl_stage!([] Sort, PathBuf => PathBuf);

/// One worker: file names in, one `done …` line out per file, from one shell loop that
/// compresses each file it is given.
fn worker() -> Pipeline<PathBuf, String> {
    Pipeline::new(PureTransformer::map(|p: PathBuf| {
        format!("{}\n", p.display()).into_bytes()
    }))
    .then(UnixProcess::shell(
        r#"while IFS= read -r f; do gzip -c "$f" > "$f.gz" && echo "done $f"; done"#,
    ))
    .then(ChunksToLines::<Vec<u8>, String>::new())
}

fn sample_folder() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("kamaelia-transcode-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    for (i, name) in [
        "dinner.dv",
        "beach.dv",
        "notes.txt",
        "concert.dv",
        "garden.dv",
        "readme.md",
        "zoo.dv",
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(
            dir.join(name),
            format!("{name} frame data ").repeat(1000 * (i + 1)),
        )?;
    }
    Ok(dir)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let made_up = std::env::args().nth(1).is_none();
    let dir = match std::env::args().nth(1) {
        Some(d) => PathBuf::from(d),
        None => sample_folder()?,
    };
    let files = Pipeline::new(FindFiles {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        dir: dir.clone(),
    })
    .then(Sort {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
    })
    .then(Filter::new(|p: &PathBuf| {
        p.extension().is_some_and(|e| e == "dv")
    }));
    let graph: Graphline<(), String> = Graphline::builder()
        .child("FILES", files)
        .child("SPLIT", TwoWayBalancer::<PathBuf, String>::new())
        .child("CONSUME1", worker())
        .child("CONSUME2", worker())
        .child(
            "REPORT",
            ConsoleEchoer::<String>::new().newline().forwarding(),
        )
        .link(("FILES", "outbox"), ("SPLIT", "inbox"))
        .link(("FILES", "signal"), ("SPLIT", "control"))
        .link(("SPLIT", "outbox1"), ("CONSUME1", "inbox"))
        .link(("SPLIT", "signal1"), ("CONSUME1", "control"))
        .link(("CONSUME1", "outbox"), ("SPLIT", "done1"))
        .link(("SPLIT", "outbox2"), ("CONSUME2", "inbox"))
        .link(("SPLIT", "signal2"), ("CONSUME2", "control"))
        .link(("CONSUME2", "outbox"), ("SPLIT", "done2"))
        .link(("SPLIT", "outbox"), ("REPORT", "inbox"))
        .link(("SPLIT", "signal"), ("REPORT", "control"))
        .link(("REPORT", "outbox"), ("self", "outbox"))
        .build()?;
    let mut done = Inbox::with_capacity(1024);
    axon::link(&graph.outbox, &done)?;
    let mut system = System::new();
    system.spawn_named("transcoder", graph);
    system.run()?;
    let mut finished = Vec::new();
    while let Ok(line) = done.try_recv() {
        finished.push(line);
    }
    println!("{} files transcoded by two workers", finished.len());
    let expected = std::fs::read_dir(&dir)?
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "dv"))
        })
        .count();
    if finished.len() != expected {
        return Err(format!("expected {expected} files done, got {finished:?}").into());
    }
    if made_up {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}
