// Saves text as a file through the browser's download, from this page: nothing is sent anywhere.
export function saveFile(text: string, type: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  // Firefox only follows a click on a link that is in the document.
  document.body.append(link)
  link.click()
  link.remove()
  // The browser reads the blob after this task; revoking the URL at once could cut the download short.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
