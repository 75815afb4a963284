// The innermost elements that reach past the window's right edge and are not clipped by a
// scrolling box around them: what makes a page scroll sideways.
() => {
  const clipped = (element) => {
    for (let a = element.parentElement; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(a).overflowX)) { return true; }
    }
    return false;
  };
  const past = (e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e);
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/ +/).join(".") : "");
  return [...document.querySelectorAll("body *")]
    .filter(past)
    .filter((e) => ![...e.children].some(past))
    .slice(0, 4)
    .map((e) => name(e) + " (" + Math.round(e.getBoundingClientRect().right) + " px)")
    .join(", ");
}
