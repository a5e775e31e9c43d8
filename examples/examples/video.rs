//! The tutorial's Video-1..5 lesson, with what this machine has: a camera is simulated by a
//! threaded component producing synthetic frames (blocking "device" work belongs on its own
//! thread, as in Video-3), and the monolithic capture loop becomes reusable components —
//! source → colour conversion → encoder → file writer (Video-5's webcam recorder). Then the
//! written file is played back at a limited frame rate (SimpleDiracPlayer's
//! `ReadFileAdaptor → decoder → MessageRateLimit → display`).
//!
//! ```text
//! cargo run --release -p examples --example video -- [FRAMES] [FPS]   # default 25 frames at 25 fps
//! ```

use std::time::{Duration, Instant};

use axon::{
    next_batch, Batch, Boxes, Component, Context, Control, Error, Inbox, Outbox, System,
    ThreadedComponent,
};
use kamaelia::chassis::{Graphline, Pipeline};
use kamaelia::file::{ChunkReader, SimpleFileWriter};
use kamaelia::util::flow::MessageRateLimit;
use kamaelia::util::sources::ConsoleEchoer;
use kamaelia::util::transforms::PureTransformer;

const WIDTH: usize = 64;
const HEIGHT: usize = 48;

/// An RGB frame from the "camera".
#[derive(Debug, Clone)]
struct Frame {
    number: u32,
    rgb: Vec<u8>,
}

/// A frame in planar YUV 4:2:0 (what a real encoder would take).
#[derive(Debug, Clone)]
struct Yuv {
    number: u32,
    y: Vec<u8>,
    u: Vec<u8>,
    v: Vec<u8>,
}

/// Simulated capture device (Video-3/4's `VideoCaptureSource`): a threaded component that makes
/// one synthetic frame per tick — a diagonal gradient moving one pixel per frame.
#[derive(Boxes)]
struct FrameSource {
    /// Not used.
    inbox: Inbox<()>,
    /// Stop requests, checked between frames.
    control: Inbox<Control>,
    /// Frames.
    outbox: Outbox<Frame>,
    /// `ProducerFinished` after the last frame.
    signal: Outbox<Control>,
    frames: u32,
    fps: u32,
}

impl ThreadedComponent for FrameSource {
    fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let tick = Duration::from_secs(1) / self.fps.max(1);
        let start = Instant::now();
        for number in 0..self.frames {
            if let Ok(c) = self.control.try_recv() {
                self.signal.send_blocking(c)?;
                return Ok(());
            }
            let mut rgb = Vec::with_capacity(WIDTH * HEIGHT * 3);
            for row in 0..HEIGHT {
                for col in 0..WIDTH {
                    let shade = ((row + col + number as usize) * 4 % 256) as u8;
                    rgb.extend_from_slice(&[shade, 255 - shade, (row * 5 % 256) as u8]);
                }
            }
            self.outbox.send_blocking(Frame { number, rgb })?;
            // The device delivers frames at its own pace: this thread waits for the next one.
            let due = start + tick * (number + 1);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        self.signal.send_blocking(Control::ProducerFinished)?;
        Ok(())
    }
}

fn to_yuv(f: Frame) -> Yuv {
    let luma = |p: &[u8]| {
        ((66 * p[0] as u32 + 129 * p[1] as u32 + 25 * p[2] as u32 + 128) >> 8) as u8 + 16
    };
    let y = f.rgb.chunks(3).map(luma).collect();
    // 4:2:0: one chroma sample per 2×2 block (taken from its top-left pixel).
    let (mut u, mut v) = (Vec::new(), Vec::new());
    for row in (0..HEIGHT).step_by(2) {
        for col in (0..WIDTH).step_by(2) {
            let p = &f.rgb[(row * WIDTH + col) * 3..][..3];
            u.push(
                ((-38 * p[0] as i32 - 74 * p[1] as i32 + 112 * p[2] as i32 + 128) >> 8)
                    .wrapping_add(128) as u8,
            );
            v.push(
                ((112 * p[0] as i32 - 94 * p[1] as i32 - 18 * p[2] as i32 + 128) >> 8)
                    .wrapping_add(128) as u8,
            );
        }
    }
    Yuv {
        number: f.number,
        y,
        u,
        v,
    }
}

/// A toy encoder: run-length coding of the three planes, framed as
/// `[number u32][length u32][(run u8, value u8)...]` so a reader can find frame boundaries.
fn encode(f: Yuv) -> Vec<u8> {
    let mut body = Vec::new();
    for plane in [&f.y, &f.u, &f.v] {
        let mut i = 0;
        while i < plane.len() {
            let value = plane[i];
            let run = plane[i..]
                .iter()
                .take(255)
                .take_while(|&&b| b == value)
                .count();
            body.extend_from_slice(&[run as u8, value]);
            i += run;
        }
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(&f.number.to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn decode((number, body): (u32, Vec<u8>)) -> Yuv {
    let mut pixels = Vec::new();
    for pair in body.chunks(2) {
        pixels.extend(std::iter::repeat_n(pair[1], pair[0] as usize));
    }
    let (y, chroma) = pixels.split_at(WIDTH * HEIGHT);
    let (u, v) = chroma.split_at(chroma.len() / 2);
    Yuv {
        number,
        y: y.to_vec(),
        u: u.to_vec(),
        v: v.to_vec(),
    }
}

/// Cuts the byte stream read from the file back into encoded frames, whatever the chunk
/// boundaries; a truncated last frame is an error naming its offset.
#[derive(Boxes)]
struct Deframer {
    /// Bytes from the file.
    inbox: Inbox<Vec<u8>>,
    /// End of the file.
    control: Inbox<Control>,
    /// `(frame number, encoded body)`.
    outbox: Outbox<(u32, Vec<u8>)>,
    /// Passes the end on.
    signal: Outbox<Control>,
}

impl Component for Deframer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let (mut buf, mut chunks, mut offset) = (Vec::new(), Vec::new(), 0usize);
        loop {
            let ended = match next_batch(&mut self.control, &mut self.inbox, &mut chunks, 64).await
            {
                Batch::Messages(_) => None,
                Batch::Control(c) => {
                    self.inbox.recv_many(&mut chunks, usize::MAX);
                    Some(c)
                }
            };
            for c in chunks.drain(..) {
                buf.extend_from_slice(&c);
            }
            while buf.len() >= 8 {
                let number = u32::from_le_bytes(buf[0..4].try_into().expect("4 bytes"));
                let len = u32::from_le_bytes(buf[4..8].try_into().expect("4 bytes")) as usize;
                if buf.len() < 8 + len {
                    break;
                }
                let body = buf[8..8 + len].to_vec();
                buf.drain(..8 + len);
                offset += 8 + len;
                self.outbox.send((number, body)).await?;
            }
            if let Some(c) = ended {
                if !buf.is_empty() {
                    return Err(Error::msg(format!(
                        "truncated frame at byte offset {offset} ({} bytes left)",
                        buf.len()
                    )));
                }
                self.signal.send(c).await.ok();
                return Ok(());
            }
        }
    }
}
kamaelia::impl_stage!([] Deframer, Vec<u8> => (u32, Vec<u8>));

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let frames: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(25);
    let fps: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(25);
    let path = std::env::temp_dir().join(format!("kamaelia-video-{}.yuvrle", std::process::id()));

    // Record: camera (own thread) → YUV 4:2:0 → encoder → file (Video-5).
    let recorder: Graphline<(), ()> = Graphline::builder()
        .threaded_child(
            "CAMERA",
            FrameSource {
                inbox: Inbox::new(),
                control: Inbox::new(),
                outbox: Outbox::new(),
                signal: Outbox::new(),
                frames,
                fps,
            },
        )
        .child("YUV", PureTransformer::map(to_yuv))
        .child("ENCODE", PureTransformer::map(encode))
        .child("WRITER", SimpleFileWriter::<Vec<u8>>::new(&path))
        .link(("CAMERA", "outbox"), ("YUV", "inbox"))
        .link(("CAMERA", "signal"), ("YUV", "control"))
        .link(("YUV", "outbox"), ("ENCODE", "inbox"))
        .link(("YUV", "signal"), ("ENCODE", "control"))
        .link(("ENCODE", "outbox"), ("WRITER", "inbox"))
        .link(("ENCODE", "signal"), ("WRITER", "control"))
        .build()?;
    let started = Instant::now();
    let mut system = System::new();
    system.spawn_named("recorder", recorder);
    system.run()?;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "recorded {frames} frames of {WIDTH}x{HEIGHT} in {:.2?}: {size} bytes ({} raw)",
        started.elapsed(),
        frames as usize * WIDTH * HEIGHT * 3
    );

    // Play back: file → frames → decoder → at most `fps` frames a second → display.
    let player = Pipeline::new(ChunkReader::new(&path).chunk_size(4096))
        .then(Deframer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        })
        .then(PureTransformer::map(decode))
        .then(MessageRateLimit::new(fps))
        .then(ConsoleEchoer::with_format(|f: &Yuv| {
            let mean = f.y.iter().map(|&b| b as u64).sum::<u64>() / f.y.len() as u64;
            format!(
                "frame {:>3}: luma mean {mean:>3}, {} chroma samples\n",
                f.number,
                f.u.len() + f.v.len()
            )
        }));
    let started = Instant::now();
    let mut system = System::new();
    system.spawn_named("player", player);
    system.run()?;
    println!(
        "played {frames} frames in {:.2?} (limited to {fps} fps)",
        started.elapsed()
    );
    std::fs::remove_file(&path)?;
    Ok(())
}
