// Copy buttons: copy the text of the element named by data-target.
document.querySelectorAll("button.copy").forEach((button) => {
  button.addEventListener("click", () => {
    const target = document.getElementById(button.dataset.target);
    if (target && navigator.clipboard) {
      navigator.clipboard.writeText(target.textContent).then(() => { button.textContent = "Copied"; });
    }
  });
});
