"""Floor devices read and driven by the station: scanners, scales and label printers."""
