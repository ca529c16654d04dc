; Inno Setup script for the Windows installer, built by .github/workflows/bundles.yml after
; packaging/build.sh:  ISCC.exe /DAppVersion=0.1.0 packaging\windows\iastm-trainer.iss
; Installs dist\iastm-trainer\ for the current user (no administrator needed; an administrator
; may choose all users), with a Start-menu entry for the windowed executable and an uninstaller.
; Paths are relative to this file's folder. Needs Inno Setup 6.3 or later (x64compatible).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F0D3B8A-2C4E-4B7F-9A51-3E8D2C7B1F40}
AppName=iastm-trainer
AppVersion={#AppVersion}
AppPublisher=iastm-trainer developers
AppComments=Practise IASTM strokes against an expert's envelope. For education, not for clinical use.
DefaultDirName={autopf}\iastm-trainer
DefaultGroupName=iastm-trainer
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=iastm-trainer-{#AppVersion}-setup
SetupIconFile=..\icons\iastm-trainer.ico
UninstallDisplayIcon={app}\iastm-trainer-gui.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\iastm-trainer\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\iastm-trainer"; Filename: "{app}\iastm-trainer-gui.exe"
Name: "{autodesktop}\iastm-trainer"; Filename: "{app}\iastm-trainer-gui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\iastm-trainer-gui.exe"; Description: "{cm:LaunchProgram,iastm-trainer}"; Flags: nowait postinstall skipifsilent
