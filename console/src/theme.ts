import { createTheme } from '@mantine/core';

// Blue 8 keeps white button text above the 4.5:1 contrast WCAG AA asks for.
export const theme = createTheme({ primaryColor: 'blue', primaryShade: 8, defaultRadius: 'sm' });
